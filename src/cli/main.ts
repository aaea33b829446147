import { processIo } from './io.js';
import { runTekamolo } from './run.js';

// The binary: the process's own streams, environment and folder; Ctrl-C and SIGTERM are handled by the
// session of the command that runs (session.ts), as long as it runs.
process.exitCode = await runTekamolo(process.argv.slice(2), processIo());
