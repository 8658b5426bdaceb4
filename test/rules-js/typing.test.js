// Typing indicators: rooms/{roomId}/typing/{uid} = { expiresAt }, a time
// at most 10 s after the write, set and deleted by uid, read by members.
// Clients show only unexpired ones, filtering on their side; a TTL policy
// on expiresAt deletes the rest.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import {
  collection, deleteDoc, doc, getDoc, getDocs, serverTimestamp, setDoc, Timestamp, updateDoc,
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
  // alice's indicator from long ago, long expired.
  await asService(env, (db) => setDoc(doc(db, `rooms/${roomA}/typing/alice`), { expiresAt: Timestamp.fromMillis(5000) }));
});

const typing = (db, uid) => doc(db, `rooms/${roomA}/typing/${uid}`);
const inMs = (ms) => Timestamp.fromMillis(Date.now() + ms);

describe('typing indicators', () => {
  it('a member starts, keeps and stops typing', async () => {
    await assertSucceeds(setDoc(typing(u.bob, 'bob'), { expiresAt: inMs(5000) }));
    await assertSucceeds(updateDoc(typing(u.bob, 'bob'), { expiresAt: inMs(5000) }));
    await assertSucceeds(setDoc(typing(u.alice, 'alice'), { expiresAt: inMs(3000) }));
    await assertSucceeds(deleteDoc(typing(u.bob, 'bob')));
  });

  it('expiresAt is after the request and at most 10 s after it', async () => {
    await assertFails(setDoc(typing(u.bob, 'bob'), { expiresAt: serverTimestamp() }));
    await assertFails(setDoc(typing(u.bob, 'bob'), { expiresAt: inMs(-5000) }));
    await assertFails(setDoc(typing(u.bob, 'bob'), { expiresAt: inMs(60000) }));
  });

  it('exactly expiresAt, a timestamp', async () => {
    await assertFails(setDoc(typing(u.bob, 'bob'), { expiresAt: 5 }));
    await assertFails(setDoc(typing(u.bob, 'bob'), { expiresAt: 'soon' }));
    await assertFails(setDoc(typing(u.bob, 'bob'), {}));
    await assertFails(setDoc(typing(u.bob, 'bob'), { expiresAt: inMs(5000), draft: 'hel' }));
  });

  it("nobody sets or clears someone else's indicator", async () => {
    await assertFails(setDoc(typing(u.bob, 'alice'), { expiresAt: inMs(5000) }));
    await assertFails(deleteDoc(typing(u.bob, 'alice')));
  });

  it('members see who is typing; the client filters out expired indicators', async () => {
    await assertSucceeds(getDoc(typing(u.bob, 'alice')));
    const all = await assertSucceeds(getDocs(collection(u.bob, `rooms/${roomA}/typing`)));
    assert.equal(all.size, 1);
    await setDoc(typing(u.bob, 'bob'), { expiresAt: inMs(5000) });
    const snap = await assertSucceeds(getDocs(collection(u.alice, `rooms/${roomA}/typing`)));
    const live = snap.docs.filter((d) => d.get('expiresAt').toMillis() > Date.now());
    assert.deepEqual(live.map((d) => d.id), ['bob']);
  });

  it('non-members, removed or banned members cannot type or watch', async () => {
    await assertFails(setDoc(typing(u.carol, 'carol'), { expiresAt: inMs(5000) }));
    await assertFails(getDocs(collection(u.carol, `rooms/${roomA}/typing`)));
    await assertFails(getDoc(typing(u.carol, 'alice')));
    await assertFails(setDoc(typing(u.bobBanned, 'bob'), { expiresAt: inMs(5000) }));
    await setDoc(typing(u.bob, 'bob'), { expiresAt: inMs(5000) });
    await assertFails(deleteDoc(typing(u.bobBanned, 'bob')));
    await asService(env, (db) => deleteDoc(doc(db, `rooms/${roomA}/members/bob`)));
    await assertFails(setDoc(typing(u.bob, 'bob'), { expiresAt: inMs(5000) }));
    await assertFails(deleteDoc(typing(u.bob, 'bob')));
  });
});
