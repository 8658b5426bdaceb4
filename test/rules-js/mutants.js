// Runs this suite once per mutant of firestore.rules (files written by the
// Go mutation test, see `npm run test:mutants`) and reports the mutants no
// test noticed. A mutant is one clause of the rules weakened or changed;
// those marked "// equivalent:" cannot be told apart from the shipped rules
// by any request, so only the others must be caught.
//
//   node mutants.js DIR   (under roomgate-emulator exec or firebase emulators:exec)
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? '');
const files = readdirSync(dir).filter((f) => f.endsWith('.rules')).sort();
if (files.length === 0) {
  console.error(`no *.rules mutants in ${dir}`);
  process.exit(2);
}
const here = new URL('.', import.meta.url).pathname;
let caught = 0;
const survived = [];
const equivalent = [];
for (const f of files) {
  const path = join(dir, f);
  const head = readFileSync(path, 'utf8').split('\n');
  const desc = head[0].replace(/^\/\/ mutant: /, '');
  const isEquivalent = head[1]?.startsWith('// equivalent:');
  const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=dot'], {
    cwd: here,
    env: { ...process.env, ROOMGATE_RULES_FILE: path },
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    caught++;
    console.log(`caught    ${f} ${desc}`);
  } else if (isEquivalent) {
    equivalent.push(`${f} ${desc}`);
    console.log(`equivalent ${f} ${desc}`);
  } else {
    survived.push(`${f} ${desc}`);
    console.log(`SURVIVED  ${f} ${desc}`);
  }
}
console.log(`\n${files.length} mutants: ${caught} caught, ${equivalent.length} known equivalent, ${survived.length} survived`);
process.exit(survived.length === 0 ? 0 : 1);
