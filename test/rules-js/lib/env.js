// Shared set-up: the test environment on the shipped rules, the users a
// mobile app would have, and the world every test starts from. The
// emulators are found only through the variables `firebase emulators:exec`
// (and roomgate-emulator exec) set, so the same files run on Google's
// emulator suite and on roomgate's.
import { readFileSync } from 'node:fs';
import { initializeTestEnvironment } from '@firebase/rules-unit-testing';
import { doc, setDoc, setLogLevel, Timestamp } from 'firebase/firestore';

// The SDK logs every denied write as a warning; denials are what most of
// these tests expect.
setLogLevel('error');

/**
 * The shipped rules, read from the repository root. ROOMGATE_RULES_FILE
 * names another file instead: mutants.js runs the suite against weakened
 * copies to show that it notices each one.
 */
export const rules = readFileSync(process.env.ROOMGATE_RULES_FILE || new URL('../../../firestore.rules', import.meta.url), 'utf8');

// Room IDs shaped like the service's: random, fixed length, [A-Za-z0-9].
export const roomA = 'Q3xv9TnL2pWkR7sYb4MdHc'; // alice (owner) and bob
export const roomB = 'Zk8P1mWq4RtY6uI0oPaS2d'; // carol

/** Starts the environment on the shipped rules (GCLOUD_PROJECT's project). */
export async function rulesEnvironment() {
  if (!process.env.FIRESTORE_EMULATOR_HOST) {
    throw new Error('FIRESTORE_EMULATOR_HOST is not set: run `npm test` (roomgate-emulator exec) or run test:raw under `firebase emulators:exec`');
  }
  return initializeTestEnvironment({
    projectId: process.env.GCLOUD_PROJECT || 'demo-roomgate',
    firestore: { rules },
  });
}

/**
 * Firestore instances as each kind of user. Custom claims are what
 * roomgate sets: chat after POST /v1/me/claims, role for moderators,
 * banned after a ban (an old token still carries chat: true).
 */
export function users(env) {
  const as = (uid, claims) => env.authenticatedContext(uid, claims).firestore();
  return {
    alice: as('alice', { chat: true }),
    bob: as('bob', { chat: true }),
    carol: as('carol', { chat: true }),
    moderator: as('mod', { chat: true, role: 'moderator' }),
    admin: as('root', { chat: true, role: 'admin' }),
    aliceWithoutChat: as('alice', {}),
    aliceBanned: as('alice', { chat: true, banned: true }),
    bobBanned: as('bob', { chat: true, banned: true }),
    stranger: env.unauthenticatedContext().firestore(),
  };
}

const t0 = Timestamp.fromDate(new Date('2025-01-02T03:04:05Z'));

/** Writes the starting world with rules disabled, as the service would. */
export async function seed(env) {
  await env.clearFirestore();
  await env.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore();
    const docs = {
      [`rooms/${roomA}`]: { createdBy: 'alice', createdAt: t0, title: 'Team', kind: 'group', memberCount: 2 },
      [`rooms/${roomA}/members/alice`]: { role: 'owner', addedBy: 'alice', joinedAt: t0 },
      [`rooms/${roomA}/members/bob`]: { role: 'member', addedBy: 'alice', joinedAt: t0 },
      [`rooms/${roomA}/messages/mAlice`]: { senderId: 'alice', text: 'hello bob', createdAt: t0 },
      [`rooms/${roomA}/messages/mBob`]: { senderId: 'bob', text: 'hi alice', createdAt: t0 },
      [`rooms/${roomB}`]: { createdBy: 'carol', createdAt: t0, title: 'Notes', kind: 'group', memberCount: 1 },
      [`rooms/${roomB}/members/carol`]: { role: 'owner', addedBy: 'carol', joinedAt: t0 },
      // users/{uid} as the service records it: the rules read it for the
      // moderator powers and the ban of a writer (it is ahead of tokens).
      'users/alice': { claimsVersion: 1 },
      'users/bob': { claimsVersion: 1 },
      'users/carol': { claimsVersion: 1 },
      'users/mod': { claimsVersion: 1, chat: true, role: 'moderator', banned: false },
      'users/root': { claimsVersion: 1, chat: true, role: 'admin' },
      [`users/alice/rooms/${roomA}`]: { title: 'Team', kind: 'group', role: 'owner', joinedAt: t0 },
      [`users/bob/rooms/${roomA}`]: { title: 'Team', kind: 'group', role: 'member', joinedAt: t0 },
      'idempotency/alice-key-1': { uid: 'alice', status: 201 },
      'directRooms/0f3a9c': { roomId: roomB },
      'audit/e1': { actor: 'root', target: 'bob', action: 'ban', at: t0 },
      'users/alice/devices/alice-phone': { uid: 'alice', token: 'fcm-token-alice:APA91b', platform: 'ios' },
      [`rooms/${roomA}/pushMutes/alice`]: { mutedAt: t0 },
      [`pushDeliveries/${roomA}_mAlice`]: { state: 'sent', roomId: roomA, messageId: 'mAlice' },
      'invites/5d1f0c': { inviteId: 'i1', roomId: roomA, createdBy: 'alice', maxUses: 1, uses: 0, revoked: false },
      'userLookup/9a2b7e': { uid: 'bob' },
      'profileSettings/alice': { discoverable: true, lookupKey: '9a2b7e' },
      'reports/7c4e1a': { reporter: 'alice', roomId: roomA, messageId: 'mBob', text: 'hi alice', reason: 'spam' },
      'users/alice/blocks/bob': { createdAt: t0 },
    };
    await Promise.all(Object.entries(docs).map(([path, data]) => setDoc(doc(db, path), data)));
  });
}

/**
 * Runs fn with rules off, as the roomgate service does with the Admin
 * SDK, and returns fn's result (withSecurityRulesDisabled itself returns
 * nothing).
 */
export async function asService(env, fn) {
  let result;
  await env.withSecurityRulesDisabled(async (ctx) => { result = await fn(ctx.firestore()); });
  return result;
}

/**
 * A queue of listener events: next(pred) resolves with the first event
 * (snapshot or error) satisfying pred, or rejects after ms.
 */
export function eventQueue() {
  const items = [];
  const waiters = new Set();
  const check = () => {
    for (const w of [...waiters]) {
      const i = items.findIndex(w.pred);
      if (i >= 0) {
        const [item] = items.splice(i, 1);
        clearTimeout(w.timer);
        waiters.delete(w);
        w.resolve(item);
      }
    }
  };
  return {
    push(item) { items.push(item); check(); },
    next(pred, what, ms = 5000) {
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        w.timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
        }, ms);
        waiters.add(w);
        check();
      });
    },
  };
}
