/** stdin, and whether it is a terminal: only then does tekamolo ask a question. */
export interface Input extends NodeJS.ReadableStream {
  isTTY?: boolean;
}

/** stdout or stderr: a terminal has a width, and gets colour and a live view. */
export interface OutputStream extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
}

/**
 * The streams one run of the command line reads and writes: the process's own for the binary, a
 * caller's for a run inside another program (runTekamolo). Nothing in src/ writes to process.stdout
 * or process.stderr: everything goes through these.
 */
export interface CliIo {
  stdin: Input;
  stdout: OutputStream;
  stderr: OutputStream;
}

export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}
