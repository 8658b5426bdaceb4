// The real-time path: a listener on a room's messages receives messages as
// they are sent, and is cut off with permission-denied as soon as the
// service deletes its member document (its ID token is unchanged).
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addDoc, collection, deleteDoc, doc, onSnapshot, orderBy, query, serverTimestamp } from 'firebase/firestore';
import { asService, eventQueue, roomA, rulesEnvironment, seed, users } from './lib/env.js';

let env;
let u;
before(async () => {
  env = await rulesEnvironment();
  u = users(env);
});
after(async () => { await env?.cleanup(); });
beforeEach(async () => { await seed(env); });

const isSnap = (e) => e && typeof e.metadata === 'object';

describe('onSnapshot on a room', () => {
  it('receives messages in real time, then permission-denied once the member document is deleted', async () => {
    const events = eventQueue();
    const unsubscribe = onSnapshot(
      query(collection(u.bob, `rooms/${roomA}/messages`), orderBy('createdAt')),
      (snap) => events.push(snap),
      (err) => events.push(err),
    );
    try {
      const first = await events.next((e) => isSnap(e) && !e.metadata.fromCache, 'the first snapshot');
      assert.equal(first.size, 2);

      // Alice sends; bob's listener gets it from the server.
      await addDoc(collection(u.alice, `rooms/${roomA}/messages`), { senderId: 'alice', text: 'are you there?', createdAt: serverTimestamp() });
      const live = await events.next(
        (e) => isSnap(e) && e.docChanges().some((c) => c.type === 'added' && c.doc.get('text') === 'are you there?'),
        "alice's message on bob's listener",
      );
      assert.equal(live.size, 3);

      // The service removes bob from the room, and alice writes again.
      // roomgate's emulator ends the listener as soon as the member
      // document is gone; Google's emulator at the next change the
      // listener would deliver. Either way bob gets permission-denied and
      // never the new message.
      await asService(env, (db) => deleteDoc(doc(db, `rooms/${roomA}/members/bob`)));
      await addDoc(collection(u.alice, `rooms/${roomA}/messages`), { senderId: 'alice', text: 'bob is gone', createdAt: serverTimestamp() });
      const err = await events.next((e) => e instanceof Error || e?.code, 'the error callback');
      assert.equal(err.code, 'permission-denied');
      await assert.rejects(
        events.next((e) => isSnap(e) && e.docChanges().some((c) => c.doc.get('text') === 'bob is gone'), 'a message after removal', 500),
        /timed out/,
        'bob received a message sent after his removal',
      );
    } finally {
      unsubscribe();
    }
  });

  it('a non-member listener gets permission-denied at once', async () => {
    const events = eventQueue();
    const unsubscribe = onSnapshot(collection(u.carol, `rooms/${roomA}/messages`), (s) => events.push(s), (e) => events.push(e));
    try {
      const err = await events.next((e) => e instanceof Error || e?.code, 'the error callback');
      assert.equal(err.code, 'permission-denied');
    } finally {
      unsubscribe();
    }
  });
});
