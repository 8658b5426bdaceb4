// Slow mode: while the room's slowModeSeconds (written by the service) is
// above 0, a message goes out in one batch with the sender's posting
// record rooms/{roomId}/posting/{uid} = { lastPostAt: serverTimestamp(),
// messageId }, and only if the previous post is at least that long ago.
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import {
  addDoc, collection, deleteDoc, doc, getDoc, getDocs, serverTimestamp, setDoc, Timestamp, updateDoc, writeBatch,
} from 'firebase/firestore';
import { asService, roomA, rulesEnvironment, seed, users } from './lib/env.js';

let env;
let u;
before(async () => {
  env = await rulesEnvironment();
  u = users(env);
});
after(async () => { await env?.cleanup(); });
beforeEach(async () => { await seed(env); });

const messages = (db) => collection(db, `rooms/${roomA}/messages`);
const posting = (db, uid) => doc(db, `rooms/${roomA}/posting/${uid}`);
const newMessage = (senderId, text) => ({ senderId, text, createdAt: serverTimestamp() });

/** Sets room A's slow mode and, optionally, bob's posting record, as the service. */
const slowMode = (seconds, record) => asService(env, async (db) => {
  await updateDoc(doc(db, `rooms/${roomA}`), { slowModeSeconds: seconds });
  if (record) await setDoc(posting(db, 'bob'), record);
});
const longAgo = Timestamp.fromMillis(Date.parse('2025-01-02T03:04:05Z'));

/**
 * Sends a message the way a client does in slow mode: the message and the
 * posting record naming it, in one batch. record overrides the record.
 */
function send(db, uid, text, record = {}) {
  const ref = doc(messages(db));
  const batch = writeBatch(db);
  batch.set(ref, newMessage(uid, text));
  batch.set(posting(db, uid), { lastPostAt: serverTimestamp(), messageId: ref.id, ...record });
  return batch.commit();
}

describe('slow mode off', () => {
  it('absent or 0: a plain addDoc; the batched send works too', async () => {
    await assertSucceeds(addDoc(messages(u.bob), newMessage('bob', 'hi')));
    await assertSucceeds(send(u.bob, 'bob', 'batched'));
    await slowMode(0);
    await assertSucceeds(addDoc(messages(u.bob), newMessage('bob', 'still off')));
  });
});

describe('slow mode on', () => {
  it('the first batched post goes out, a second one within the pause does not', async () => {
    await slowMode(3600);
    await assertSucceeds(send(u.bob, 'bob', 'first'));
    await assertFails(send(u.bob, 'bob', 'second'));
  });

  it('a post after the pause goes out', async () => {
    await slowMode(3600, { lastPostAt: longAgo, messageId: 'mBob' });
    await assertSucceeds(send(u.bob, 'bob', 'an hour later'));
  });

  it('a plain addDoc is refused', async () => {
    await slowMode(3600);
    await assertFails(addDoc(messages(u.bob), newMessage('bob', 'no record')));
  });

  it('the record must name this message, at the server time, and be the sender\'s own', async () => {
    await slowMode(3600, { lastPostAt: longAgo, messageId: 'mBob' });
    await assertFails(send(u.bob, 'bob', 'other', { messageId: 'other' }));
    // A clock 1 s fast: client time that can never equal request.time by luck.
    await assertFails(send(u.bob, 'bob', 'client time', { lastPostAt: Timestamp.fromMillis(Date.now() + 1000) }));
    const ref = doc(messages(u.bob));
    const theirs = writeBatch(u.bob);
    theirs.set(ref, newMessage('bob', 'with alice\'s record'));
    theirs.set(posting(u.bob, 'alice'), { lastPostAt: serverTimestamp(), messageId: ref.id });
    await assertFails(theirs.commit());
  });

  it('one message per batch', async () => {
    await slowMode(3600, { lastPostAt: longAgo, messageId: 'mBob' });
    const first = doc(messages(u.bob));
    const batch = writeBatch(u.bob);
    batch.set(first, newMessage('bob', 'one'));
    batch.set(doc(messages(u.bob), 'm2'), newMessage('bob', 'two'));
    batch.set(posting(u.bob, 'bob'), { lastPostAt: serverTimestamp(), messageId: first.id });
    await assertFails(batch.commit());
  });

  it('re-sending at the ID an old record names does not count as batched', async () => {
    await slowMode(3600, { lastPostAt: longAgo, messageId: 'mGone' });
    await assertFails(setDoc(doc(messages(u.bob), 'mGone'), newMessage('bob', 'again')));
  });

  it('a slowModeSeconds that is not an integer refuses every post', async () => {
    await slowMode('60');
    await assertFails(send(u.bob, 'bob', 'string'));
  });
});

describe('posting records', () => {
  it('the sender reads and writes only their own, with the exact shape, and never deletes it', async () => {
    await slowMode(3600, { lastPostAt: Timestamp.now(), messageId: 'mBob' });
    await assertSucceeds(getDoc(posting(u.bob, 'bob')));
    await assertFails(getDoc(posting(u.alice, 'bob')));
    await assertFails(getDocs(collection(u.bob, `rooms/${roomA}/posting`)));
    await assertFails(deleteDoc(posting(u.bob, 'bob')));
    await assertFails(setDoc(posting(u.alice, 'bob'), { lastPostAt: serverTimestamp(), messageId: 'm1' }));
    await assertFails(setDoc(posting(u.bob, 'bob'), { lastPostAt: longAgo, messageId: 'm1' }));
    await assertFails(setDoc(posting(u.bob, 'bob'), { lastPostAt: serverTimestamp() }));
    await assertFails(setDoc(posting(u.bob, 'bob'), { messageId: 'm1' }));
    await assertFails(setDoc(posting(u.bob, 'bob'), { lastPostAt: serverTimestamp(), messageId: '' }));
    await assertFails(setDoc(posting(u.bob, 'bob'), { lastPostAt: serverTimestamp(), messageId: 'm1', count: 1 }));
    await assertSucceeds(setDoc(posting(u.bob, 'bob'), { lastPostAt: serverTimestamp(), messageId: 'm1' }));
  });

  it('a non-member has none', async () => {
    await assertFails(setDoc(posting(u.carol, 'carol'), { lastPostAt: serverTimestamp(), messageId: 'm1' }));
    await assertFails(getDoc(posting(u.carol, 'carol')));
  });

  it('a member cannot change the room\'s slow mode', async () => {
    await slowMode(3600);
    await assertFails(updateDoc(doc(u.alice, `rooms/${roomA}`), { slowModeSeconds: 0 }));
  });
});
