import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The images the emulator holds, as a MOTO_AMIS_PATH file (moto's documented way to choose them).
 *
 * By default moto builds every region's EC2 backend with about 1,160 images (ECS-optimised ones for the
 * most part), each with its own snapshot and volume: about 2 s of the emulator's CPU the first time a
 * region is used, and again for every used region at every reset. The tests reset before nearly every
 * test, and that was a quarter of the emulator's work. They need only the Amazon Linux images that
 * the SSM parameters of the default `backend.ami` name, in the regions they deploy to.
 *
 * Read from moto's own data (the files it loads itself), so a new moto brings its new image ids; if
 * that data is not where this moto keeps it, no file is written and moto loads its full default set.
 */

/** Regions the tests deploy a stack to (config `region`); their stacks resolve the default AMI in SSM. */
const TEST_REGIONS = ['eu-central-1', 'us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2'];

/** Python that writes the latest Amazon Linux images of the regions in argv[2:] to argv[1]. */
const WRITE_AMIS = `
import gzip, importlib.util, json, os, sys
spec = importlib.util.find_spec("moto")
folder = os.path.join(spec.submodule_search_locations[0], "ec2", "resources", "latest_amis")
images = []
for region in sys.argv[2:]:
    with gzip.open(os.path.join(folder, region + ".json.gz")) as f:
        images += json.load(f)
with open(sys.argv[1], "w") as f:
    json.dump(images, f)
`;

/** Writes the file into `dir` and returns its path, or undefined (with a notice) when it cannot. */
export function writeMotoAmis(dir: string): string | undefined {
  const file = join(dir, 'amis.json');
  const run = spawnSync('python3', ['-c', WRITE_AMIS, file, ...TEST_REGIONS], { encoding: 'utf8' });
  if (run.status === 0) return file;
  const reason = (run.stderr || run.error?.message || `exit ${run.status}`).trim().split('\n').at(-1);
  console.warn(`moto's image list not found (${reason}): the emulator loads its full default set`);
  return undefined;
}
