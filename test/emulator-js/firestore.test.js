// Documents, queries, transactions and batches through the Firebase JS SDK
// (gRPC: Write stream, Listen for reads, Commit, RunQuery) under the test
// rules, with @firebase/rules-unit-testing contexts.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import {
  collection, deleteDoc, doc, getDoc, getDocs, increment, limit, orderBy, query,
  runTransaction, serverTimestamp, setDoc, Timestamp, updateDoc, where, writeBatch,
} from 'firebase/firestore';
import { testEnvironment } from './lib/helpers.js';
import { rules } from './lib/rules.js';

let env;
before(async () => { env = await testEnvironment(rules); });
after(async () => { await env?.cleanup(); });
beforeEach(async () => { await env.clearFirestore(); });

/** Writes documents with rules off, as test fixtures. */
async function seed(docs) {
  await env.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore();
    for (const [path, data] of Object.entries(docs)) await setDoc(doc(db, path), data);
  });
}

describe('CRUD under rules', () => {
  it('lets anyone read public documents and only admins write them', async () => {
    await seed({ 'public/motd': { text: 'hello' } });
    const anon = env.unauthenticatedContext().firestore();
    const snap = await assertSucceeds(getDoc(doc(anon, 'public/motd')));
    assert.equal(snap.data().text, 'hello');
    await assertFails(setDoc(doc(anon, 'public/motd'), { text: 'defaced' }));
    await assertFails(setDoc(doc(env.authenticatedContext('bob').firestore(), 'public/motd'), { text: 'x' }));
    const admin = env.authenticatedContext('root', { admin: true }).firestore();
    await assertSucceeds(setDoc(doc(admin, 'public/motd'), { text: 'new' }));
    assert.equal((await getDoc(doc(anon, 'public/motd'))).data().text, 'new');
  });

  it('creates, reads, updates and deletes your own profile', async () => {
    const alice = env.authenticatedContext('alice').firestore();
    const ref = doc(alice, 'profiles/alice');
    await assertSucceeds(setDoc(ref, { name: 'Alice', age: 30 }));
    let snap = await assertSucceeds(getDoc(ref));
    assert.ok(snap.exists());
    assert.deepEqual(snap.data(), { name: 'Alice', age: 30 });

    await assertSucceeds(updateDoc(ref, { age: increment(1) }));
    snap = await getDoc(ref);
    assert.deepEqual(snap.data(), { name: 'Alice', age: 31 });

    await assertSucceeds(setDoc(ref, { updatedAt: serverTimestamp() }, { merge: true }));
    snap = await getDoc(ref);
    assert.ok(snap.data().updatedAt instanceof Timestamp, 'serverTimestamp resolves to a Timestamp');
    assert.equal(snap.data().name, 'Alice');

    await assertSucceeds(deleteDoc(ref));
    snap = await getDoc(ref);
    assert.equal(snap.exists(), false);
  });

  it('denies writes to others\' profiles, bad shapes and signed-out users', async () => {
    const alice = env.authenticatedContext('alice').firestore();
    await assertFails(setDoc(doc(alice, 'profiles/bob'), { name: 'Bob' }));
    await assertFails(setDoc(doc(alice, 'profiles/alice'), { name: 'Alice', isAdmin: true }));
    await assertFails(setDoc(doc(alice, 'profiles/alice'), { name: 42 }));
    await assertFails(setDoc(doc(env.unauthenticatedContext().firestore(), 'profiles/alice'), { name: 'A' }));
    await assertFails(getDoc(doc(env.unauthenticatedContext().firestore(), 'profiles/alice')));
    // updateDoc of a missing document is NOT_FOUND, not a rules denial.
    await assert.rejects(updateDoc(doc(alice, 'profiles/alice'), { name: 'x' }), { code: 'not-found' });
  });

  it('uses get()/exists() on membership documents', async () => {
    await seed({ 'rooms/r1': { title: 'Lobby' }, 'rooms/r1/members/alice': { role: 'owner' } });
    await assertSucceeds(getDoc(doc(env.authenticatedContext('alice').firestore(), 'rooms/r1')));
    await assertFails(getDoc(doc(env.authenticatedContext('mallory').firestore(), 'rooms/r1')));
    await assertSucceeds(getDoc(doc(env.authenticatedContext('alice').firestore(), 'rooms/r1/members/alice')));
    await assertFails(getDoc(doc(env.authenticatedContext('alice').firestore(), 'rooms/r1/members/bob')));
  });

  it('checks serverTimestamp() against request.time', async () => {
    await seed({ 'rooms/r1': { title: 'Lobby' }, 'rooms/r1/members/alice': { role: 'member' } });
    const alice = env.authenticatedContext('alice').firestore();
    const msgs = collection(alice, 'rooms/r1/messages');
    const before = Date.now();
    await assertSucceeds(setDoc(doc(msgs, 'm1'), { author: 'alice', text: 'hi', sentAt: serverTimestamp() }));
    const snap = await getDoc(doc(msgs, 'm1'));
    const sent = snap.data().sentAt.toMillis();
    assert.ok(sent >= before - 1000 && sent <= Date.now() + 1000, `sentAt ${sent} is near now`);

    // A client clock value is not request.time. (The clock is set a
    // minute off: request.time has millisecond precision, so on loopback
    // Timestamp.now() can land in the very millisecond of the commit.)
    await assertFails(setDoc(doc(msgs, 'm2'), { author: 'alice', text: 'hi', sentAt: Timestamp.fromMillis(Date.now() - 60_000) }));
    // Another author, or a non-member, is denied.
    await assertFails(setDoc(doc(msgs, 'm3'), { author: 'bob', text: 'hi', sentAt: serverTimestamp() }));
    const mallory = env.authenticatedContext('mallory').firestore();
    await assertFails(setDoc(doc(mallory, 'rooms/r1/messages/m4'), { author: 'mallory', text: 'hi', sentAt: serverTimestamp() }));
    // Messages are immutable.
    await assertFails(updateDoc(doc(msgs, 'm1'), { text: 'edited' }));
    await assertFails(deleteDoc(doc(msgs, 'm1')));
  });
});

describe('queries', () => {
  beforeEach(async () => {
    await seed({
      'scores/a': { game: 'chess', player: 'ann', points: 30 },
      'scores/b': { game: 'chess', player: 'ben', points: 90 },
      'scores/c': { game: 'chess', player: 'cid', points: 60 },
      'scores/d': { game: 'go', player: 'dan', points: 99 },
      'scores/e': { game: 'chess', player: 'eve', points: 75 },
      'notes/n1': { owner: 'alice', text: 'mine' },
      'notes/n2': { owner: 'alice', text: 'also mine' },
      'notes/n3': { owner: 'bob', text: 'not mine' },
    });
  });

  it('runs where + orderBy + limit and returns documents in order', async () => {
    const db = env.authenticatedContext('alice').firestore();
    const q = query(collection(db, 'scores'), where('game', '==', 'chess'), orderBy('points', 'desc'), limit(3));
    const snap = await assertSucceeds(getDocs(q));
    assert.deepEqual(snap.docs.map((d) => [d.id, d.data().points]), [['b', 90], ['e', 75], ['c', 60]]);
  });

  it('supports range filters, in and multiple orderings', async () => {
    const db = env.authenticatedContext('alice').firestore();
    let snap = await getDocs(query(collection(db, 'scores'), where('points', '>=', 60), where('points', '<', 95), orderBy('points'), limit(10)));
    assert.deepEqual(snap.docs.map((d) => d.id), ['c', 'e', 'b']);
    snap = await getDocs(query(collection(db, 'scores'), where('player', 'in', ['ann', 'dan', 'zed']), orderBy('game'), orderBy('points', 'desc'), limit(10)));
    assert.deepEqual(snap.docs.map((d) => d.id), ['a', 'd']);
  });

  it('denies queries whose constraints do not prove the rule (rules are not filters)', async () => {
    const db = env.authenticatedContext('alice').firestore();
    await assertFails(getDocs(query(collection(db, 'scores'), where('game', '==', 'chess'))));
    await assertFails(getDocs(query(collection(db, 'scores'), limit(11))));
    await assertFails(getDocs(collection(db, 'notes')));
    const mine = await assertSucceeds(getDocs(query(collection(db, 'notes'), where('owner', '==', 'alice'))));
    assert.deepEqual(mine.docs.map((d) => d.id).sort(), ['n1', 'n2']);
    await assertFails(getDocs(query(collection(db, 'notes'), where('owner', '==', 'bob'))));
    await assertFails(getDocs(query(collection(env.unauthenticatedContext().firestore(), 'scores'), limit(5))));
  });
});

describe('transactions and batches', () => {
  it('runs concurrent read-modify-write transactions without losing an update', async () => {
    await seed({ 'counters/c': { n: 0 } });
    const contexts = ['u1', 'u2', 'u3', 'u4', 'u5'].map((u) => env.authenticatedContext(u).firestore());
    await Promise.all(contexts.map((db) => runTransaction(db, async (tx) => {
      const ref = doc(db, 'counters/c');
      const snap = await tx.get(ref);
      tx.set(ref, { n: snap.data().n + 1 });
    })));
    const snap = await getDoc(doc(contexts[0], 'counters/c'));
    assert.equal(snap.data().n, 5);
  });

  it('fails a transaction whose write the rules deny, leaving the data unchanged', async () => {
    await seed({ 'counters/c': { n: 1 } });
    const db = env.authenticatedContext('alice').firestore();
    await assertFails(runTransaction(db, async (tx) => {
      const ref = doc(db, 'counters/c');
      const snap = await tx.get(ref);
      tx.set(ref, { n: String(snap.data().n + 1) }); // n must be an int
    }));
    assert.equal((await getDoc(doc(db, 'counters/c'))).data().n, 1);
    const anon = env.unauthenticatedContext().firestore();
    await assertFails(runTransaction(anon, (tx) => tx.get(doc(anon, 'counters/c'))));
  });

  it('commits a batch atomically, and not at all if one write is denied', async () => {
    const alice = env.authenticatedContext('alice').firestore();
    const ok = writeBatch(alice);
    ok.set(doc(alice, 'profiles/alice'), { name: 'Alice' });
    ok.set(doc(alice, 'counters/x'), { n: 1 });
    await assertSucceeds(ok.commit());
    assert.equal((await getDoc(doc(alice, 'counters/x'))).data().n, 1);

    const bad = writeBatch(alice);
    bad.update(doc(alice, 'counters/x'), { n: 2 });
    bad.set(doc(alice, 'profiles/bob'), { name: 'Bob' }); // denied
    await assertFails(bad.commit());
    assert.equal((await getDoc(doc(alice, 'counters/x'))).data().n, 1, 'the allowed half was not applied');
    await env.withSecurityRulesDisabled(async (ctx) => {
      assert.equal((await getDoc(doc(ctx.firestore(), 'profiles/bob'))).exists(), false);
    });
  });
});
