// Shared set-up for the suite. The emulators are found only through the
// variables `firebase emulators:exec` and `roomgate-emulator exec` set, so
// the same files run against Google's emulators and against ours.
import { initializeTestEnvironment } from '@firebase/rules-unit-testing';

/** The project every file uses: GCLOUD_PROJECT, as the CLI sets it. */
export function projectId() {
  const p = process.env.GCLOUD_PROJECT;
  if (!p) {
    throw new Error('GCLOUD_PROJECT is not set: run this suite with `npm test` (roomgate-emulator exec) or under `firebase emulators:exec`');
  }
  return p;
}

/** host and port of FIRESTORE_EMULATOR_HOST / FIREBASE_AUTH_EMULATOR_HOST. */
export function emulatorHost(variable) {
  const v = process.env[variable];
  if (!v) {
    throw new Error(`${variable} is not set: run this suite with \`npm test\` or under \`firebase emulators:exec\``);
  }
  const i = v.lastIndexOf(':');
  return { host: v.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(v.slice(i + 1)), address: v };
}

/**
 * Starts a test environment with the given rules (loaded through the
 * emulator's PUT :securityRules, as rules-unit-testing does) and clears
 * the database. Host and port come from FIRESTORE_EMULATOR_HOST.
 */
export async function testEnvironment(rules) {
  const env = await initializeTestEnvironment({ projectId: projectId(), firestore: { rules } });
  await env.clearFirestore();
  return env;
}

/**
 * Resolves with the next value a listener produces that satisfies pred,
 * or rejects after ms. Each snapshot or error is pushed with push().
 */
export function eventQueue() {
  const items = [];
  const waiters = [];
  return {
    push(item) {
      items.push(item);
      for (const w of [...waiters]) w.check();
    },
    next(pred, what, ms = 5000) {
      return new Promise((resolve, reject) => {
        const w = {
          check() {
            const i = items.findIndex(pred);
            if (i >= 0) {
              const [item] = items.splice(i, 1);
              clearTimeout(w.timer);
              waiters.splice(waiters.indexOf(w), 1);
              resolve(item);
            }
          },
        };
        w.timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`timed out after ${ms} ms waiting for ${what}; unconsumed events: ${JSON.stringify(items.map(describe))}`));
        }, ms);
        waiters.push(w);
        w.check();
      });
    },
  };
}

function describe(e) {
  if (e instanceof Error || e?.code) return { error: e.code, message: e.message };
  return e?.kind ?? typeof e;
}
