// Real-time listeners through the JS SDK's Listen stream: a document, a
// query with adds/changes/removes, a denied listen, and a listener that
// loses access when its user's membership document is deleted.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  collection, deleteDoc, doc, onSnapshot, orderBy, query, serverTimestamp, setDoc, updateDoc,
} from 'firebase/firestore';
import { eventQueue, testEnvironment } from './lib/helpers.js';
import { rules } from './lib/rules.js';

let env;
before(async () => { env = await testEnvironment(rules); });
after(async () => { await env?.cleanup(); });
beforeEach(async () => { await env.clearFirestore(); });

/** Runs fn with rules off (fixtures and changes made by "someone else"). */
function asAdmin(fn) {
  return env.withSecurityRulesDisabled((ctx) => fn(ctx.firestore()));
}

/** Subscribes and returns the event queue and the unsubscribe function. */
function listen(ref) {
  const q = eventQueue();
  const unsubscribe = onSnapshot(ref, (snap) => q.push(snap), (err) => q.push(err));
  return { q, unsubscribe };
}

const isSnap = (s) => s && typeof s.metadata === 'object';

describe('onSnapshot', () => {
  it('follows a document through create, update and delete', async () => {
    const alice = env.authenticatedContext('alice').firestore();
    const { q, unsubscribe } = listen(doc(alice, 'profiles/alice'));
    try {
      let s = await q.next((s) => isSnap(s) && !s.metadata.fromCache, 'the first server snapshot');
      assert.equal(s.exists(), false);

      // The own write shows at once as a local (pending) change; without
      // includeMetadataChanges its acknowledgement fires no new snapshot.
      await setDoc(doc(alice, 'profiles/alice'), { name: 'Alice', age: 1 });
      s = await q.next((s) => isSnap(s) && s.exists() && s.data().age === 1, 'the created document');
      assert.deepEqual(s.data(), { name: 'Alice', age: 1 });

      // A change made by another client arrives from the server.
      await asAdmin((db) => updateDoc(doc(db, 'profiles/alice'), { age: 2 }));
      s = await q.next((s) => isSnap(s) && s.exists() && s.data().age === 2, 'the update by another client');
      assert.equal(s.metadata.hasPendingWrites, false);

      await asAdmin((db) => deleteDoc(doc(db, 'profiles/alice')));
      s = await q.next((s) => isSnap(s) && !s.exists(), 'the deletion');
    } finally {
      unsubscribe();
    }
  });

  it('reports added, modified and removed documents of a query in order', async () => {
    await asAdmin(async (db) => {
      await setDoc(doc(db, 'rooms/r1'), { title: 'Lobby' });
      await setDoc(doc(db, 'rooms/r1/members/alice'), { role: 'member' });
      await setDoc(doc(db, 'rooms/r1/messages/m1'), { author: 'bob', text: 'first', n: 1 });
    });
    const alice = env.authenticatedContext('alice').firestore();
    const { q, unsubscribe } = listen(query(collection(alice, 'rooms/r1/messages'), orderBy('n')));
    const changes = (s) => s.docChanges().map((c) => `${c.type}:${c.doc.id}`);
    try {
      let s = await q.next((s) => isSnap(s) && !s.metadata.fromCache, 'the initial result');
      assert.deepEqual(changes(s), ['added:m1']);

      await asAdmin((db) => setDoc(doc(db, 'rooms/r1/messages/m2'), { author: 'bob', text: 'second', n: 2 }));
      s = await q.next((s) => isSnap(s) && s.size === 2, 'the added message');
      assert.deepEqual(changes(s), ['added:m2']);
      assert.deepEqual(s.docs.map((d) => d.id), ['m1', 'm2']);

      await asAdmin((db) => updateDoc(doc(db, 'rooms/r1/messages/m1'), { text: 'edited', n: 3 }));
      s = await q.next((s) => isSnap(s) && s.docChanges().some((c) => c.type === 'modified'), 'the modified message');
      assert.deepEqual(changes(s), ['modified:m1']);
      assert.deepEqual(s.docs.map((d) => d.id), ['m2', 'm1'], 'the order follows the new n');
      assert.equal(s.docs[1].data().text, 'edited');

      await asAdmin((db) => deleteDoc(doc(db, 'rooms/r1/messages/m2')));
      s = await q.next((s) => isSnap(s) && s.size === 1, 'the removed message');
      assert.deepEqual(changes(s), ['removed:m2']);

      // The user's own write shows up (first as a pending local write).
      await setDoc(doc(alice, 'rooms/r1/messages/m4'), { author: 'alice', text: 'mine', n: 4, sentAt: serverTimestamp() });
      s = await q.next((s) => isSnap(s) && s.size === 2 && !s.metadata.hasPendingWrites, 'the own message, acknowledged');
      assert.deepEqual(s.docs.map((d) => d.id), ['m1', 'm4']);
    } finally {
      unsubscribe();
    }
  });

  it('calls the error callback with permission-denied for a listen the rules deny', async () => {
    await asAdmin((db) => setDoc(doc(db, 'rooms/r1'), { title: 'Lobby' }));
    const mallory = env.authenticatedContext('mallory').firestore();
    for (const ref of [doc(mallory, 'rooms/r1'), collection(mallory, 'rooms/r1/messages')]) {
      const { q, unsubscribe } = listen(ref);
      try {
        const err = await q.next((e) => e instanceof Error, 'the error callback');
        assert.equal(err.code, 'permission-denied');
      } finally {
        unsubscribe();
      }
    }
  });

  it('ends a member\'s live chat when their membership document is deleted', async () => {
    await asAdmin(async (db) => {
      await setDoc(doc(db, 'rooms/r1'), { title: 'Lobby' });
      await setDoc(doc(db, 'rooms/r1/members/alice'), { role: 'member' });
      await setDoc(doc(db, 'rooms/r1/messages/m1'), { author: 'bob', text: 'hi', n: 1 });
    });
    const alice = env.authenticatedContext('alice').firestore();
    const { q, unsubscribe } = listen(query(collection(alice, 'rooms/r1/messages'), orderBy('n')));
    try {
      const s = await q.next((s) => isSnap(s) && !s.metadata.fromCache, 'the initial result');
      assert.equal(s.size, 1);

      // The membership goes, then a message is written. roomgate's
      // emulator ends the listener as soon as the member document is
      // gone; Google's emulator at the next change the listener would
      // deliver (the message). Either way alice gets permission-denied
      // and never the message.
      await asAdmin((db) => deleteDoc(doc(db, 'rooms/r1/members/alice')));
      await asAdmin((db) => setDoc(doc(db, 'rooms/r1/messages/m2'), { author: 'bob', text: 'secret', n: 2 }));
      const err = await q.next((e) => e instanceof Error, 'the error callback after removal');
      assert.equal(err.code, 'permission-denied');
      await assert.rejects(q.next((s) => isSnap(s) && s.size === 2, 'a snapshot after removal', 500), /timed out/);
    } finally {
      unsubscribe();
    }
  });
});
