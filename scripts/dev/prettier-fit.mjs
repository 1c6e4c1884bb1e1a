// How far prettier with given options is from the code as written: files and lines it would change (no file is
// written). Used to choose .prettierrc.json. Run on a tree not yet formatted:
//   node scripts/dev/prettier-fit.mjs '{"singleQuote":true,"printWidth":140}'
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as prettier from 'prettier';

const options = JSON.parse(process.argv[2] ?? '{}');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prettier-fit-'));
const files = execFileSync('git', ['ls-files'], { encoding: 'utf8' }).split('\n').filter(Boolean);
let changedFiles = 0;
let changedLines = 0;
for (const file of files) {
  const info = await prettier.getFileInfo(file, { ignorePath: '.prettierignore' });
  if (info.ignored || !info.inferredParser) continue;
  const source = fs.readFileSync(file, 'utf8');
  const formatted = await prettier.format(source, { ...options, filepath: file });
  if (formatted === source) continue;
  changedFiles++;
  fs.writeFileSync(path.join(tmp, 'a'), source);
  fs.writeFileSync(path.join(tmp, 'b'), formatted);
  let diff;
  try {
    diff = execFileSync('diff', [path.join(tmp, 'a'), path.join(tmp, 'b')], { encoding: 'utf8' });
  } catch (e) {
    diff = e.stdout; // diff exits 1 when the files differ
  }
  changedLines += diff.split('\n').filter((l) => l.startsWith('<')).length;
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${JSON.stringify(options)}: ${changedFiles} files, ${changedLines} lines would change`);
