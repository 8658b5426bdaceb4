// Read markers and unread counts: each member keeps
// rooms/{roomId}/reads/{uid} = { lastReadAt: serverTimestamp(),
// lastReadMessageId? } for itself; unread is a count() of the messages
// created after lastReadAt.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import {
  addDoc, collection, deleteDoc, doc, getCountFromServer, getDoc, getDocs, query, serverTimestamp, setDoc,
  Timestamp, updateDoc, where,
} from 'firebase/firestore';
import { asService, roomA, rulesEnvironment, seed, users } from './lib/env.js';

let env;
let u;
before(async () => {
  env = await rulesEnvironment();
  u = users(env);
});
after(async () => { await env?.cleanup(); });
beforeEach(async () => {
  await seed(env);
  await asService(env, (db) => setDoc(doc(db, `rooms/${roomA}/reads/alice`), { lastReadAt: Timestamp.fromMillis(0) }));
});

const marker = (db, uid) => doc(db, `rooms/${roomA}/reads/${uid}`);
const markers = (db) => collection(db, `rooms/${roomA}/reads`);
const messages = (db) => collection(db, `rooms/${roomA}/messages`);
const read = (extra = {}) => ({ lastReadAt: serverTimestamp(), ...extra });

/** The unread count as a client computes it: its marker, then count(). */
async function unread(db, uid) {
  const m = await getDoc(marker(db, uid));
  const q = query(messages(db), where('createdAt', '>', m.get('lastReadAt')));
  return (await getCountFromServer(q)).data().count;
}

describe('read markers', () => {
  it('a member marks the room read with serverTimestamp(), optionally naming the last message', async () => {
    await assertSucceeds(setDoc(marker(u.bob, 'bob'), read()));
    await assertSucceeds(setDoc(marker(u.bob, 'bob'), read({ lastReadMessageId: 'mAlice' })));
    await assertSucceeds(updateDoc(marker(u.alice, 'alice'), read({ lastReadMessageId: 'mBob' })));
    await assertSucceeds(setDoc(marker(u.bob, 'bob'), read({ lastReadMessageId: 'k' })));
    await assertSucceeds(setDoc(marker(u.bob, 'bob'), read({ lastReadMessageId: 'm'.repeat(1500) })));
  });

  it('lastReadAt must be the server time', async () => {
    // A clock 1 s fast: never request.time by luck.
    await assertFails(setDoc(marker(u.bob, 'bob'), { lastReadAt: Timestamp.fromMillis(Date.now() + 1000) }));
    await assertFails(setDoc(marker(u.bob, 'bob'), { lastReadAt: Timestamp.fromMillis(Date.now() + 3600e3) }));
    await assertFails(setDoc(marker(u.bob, 'bob'), { lastReadMessageId: 'mAlice' }));
  });

  it('exactly lastReadAt and lastReadMessageId, a document ID', async () => {
    await assertFails(setDoc(marker(u.bob, 'bob'), read({ unread: 0 })));
    await assertFails(setDoc(marker(u.bob, 'bob'), read({ lastReadMessageId: '' })));
    await assertFails(setDoc(marker(u.bob, 'bob'), read({ lastReadMessageId: 'm'.repeat(1501) })));
    await assertFails(setDoc(marker(u.bob, 'bob'), read({ lastReadMessageId: 7 })));
    await assertFails(setDoc(marker(u.bob, 'bob'), read({ lastReadMessageId: ['mAlice'] })));
  });

  it("nobody writes someone else's marker, and nobody deletes one", async () => {
    await assertFails(setDoc(marker(u.bob, 'alice'), read()));
    await assertFails(setDoc(marker(u.alice, 'bob'), read()));
    await assertFails(deleteDoc(marker(u.alice, 'alice')));
  });

  it('members read every marker ("seen by"); others read none', async () => {
    await assertSucceeds(getDoc(marker(u.bob, 'alice')));
    const snap = await assertSucceeds(getDocs(markers(u.bob)));
    assert.equal(snap.size, 1);
    await assertFails(getDoc(marker(u.carol, 'alice')));
    await assertFails(getDocs(markers(u.carol)));
  });

  it('non-members, removed or banned members and users without the chat claim cannot mark read', async () => {
    await assertFails(setDoc(marker(u.carol, 'carol'), read()));
    await assertFails(setDoc(marker(u.bobBanned, 'bob'), read()));
    await assertFails(updateDoc(marker(u.aliceWithoutChat, 'alice'), read()));
    await asService(env, (db) => deleteDoc(doc(db, `rooms/${roomA}/members/bob`)));
    await assertFails(setDoc(marker(u.bob, 'bob'), read()));
  });
});

describe('unread counts', () => {
  it('count() of the messages after the marker, allowed by the messages list rule', async () => {
    await setDoc(marker(u.bob, 'bob'), read());
    const lastReadAt = (await asService(env, (db) => getDoc(marker(db, 'bob')))).get('lastReadAt');
    // Server timestamps have a finite precision (milliseconds on the
    // emulators): a message sent right after the marker may carry the same
    // time and count as read. alice sends until two are strictly newer.
    for (let newer = 0, sent = 0; newer < 2; sent++) {
      const ref = await addDoc(messages(u.alice), { senderId: 'alice', text: `message ${sent}`, createdAt: serverTimestamp() });
      const stored = await asService(env, (db) => getDoc(doc(db, ref.path)));
      if (stored.get('createdAt') > lastReadAt) newer++; // Timestamp.valueOf() orders by time
    }
    assert.equal(await assertSucceeds(unread(u.bob, 'bob')), 2);
    await setDoc(marker(u.bob, 'bob'), read());
    assert.equal(await assertSucceeds(unread(u.bob, 'bob')), 0);
  });

  it('a non-member cannot count', async () => {
    await assertFails(getCountFromServer(query(messages(u.carol), where('createdAt', '>', Timestamp.fromMillis(0)))));
  });
});
