// Messages: what a chat client sends, edits, deletes and reads directly,
// and what a modified client is refused.
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import {
  addDoc, collection, collectionGroup, deleteDoc, deleteField, doc, getCountFromServer, getDoc, getDocs,
  limit, orderBy, query, serverTimestamp, setDoc, Timestamp, updateDoc, where,
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
const message = (db, id) => doc(db, `rooms/${roomA}/messages/${id}`);
/** The one shape the rules accept for a new message. */
const newMessage = (senderId, text) => ({ senderId, text, createdAt: serverTimestamp() });

describe('sending', () => {
  it('a member sends a message with serverTimestamp()', async () => {
    const ref = await assertSucceeds(addDoc(messages(u.bob), newMessage('bob', 'hey')));
    const stored = await asService(env, (db) => getDoc(doc(db, ref.path)));
    if (stored.get('text') !== 'hey' || !(stored.get('createdAt') instanceof Timestamp)) throw new Error('message not stored as sent');
  });

  it('text may be 1 to 4000 characters', async () => {
    await assertSucceeds(addDoc(messages(u.bob), newMessage('bob', 'k')));
    await assertSucceeds(addDoc(messages(u.bob), newMessage('bob', 'x'.repeat(4000))));
    await assertFails(addDoc(messages(u.bob), newMessage('bob', '')));
    await assertFails(addDoc(messages(u.bob), newMessage('bob', 'x'.repeat(4001))));
  });

  it('text must be a string', async () => {
    await assertFails(addDoc(messages(u.bob), newMessage('bob', 42)));
    await assertFails(addDoc(messages(u.bob), newMessage('bob', ['hi'])));
    await assertFails(addDoc(messages(u.bob), newMessage('bob', { text: 'hi' })));
  });

  it('senderId cannot be forged', async () => {
    await assertFails(addDoc(messages(u.bob), newMessage('alice', 'it was alice')));
  });

  it('createdAt must be the server time, not a client-chosen one', async () => {
    const hourAgo = Timestamp.fromMillis(Date.now() - 3600e3);
    const inAnHour = Timestamp.fromMillis(Date.now() + 3600e3);
    await assertFails(addDoc(messages(u.bob), { ...newMessage('bob', 'old'), createdAt: hourAgo }));
    await assertFails(addDoc(messages(u.bob), { ...newMessage('bob', 'soon'), createdAt: inAnHour }));
    await assertFails(addDoc(messages(u.bob), { ...newMessage('bob', 'now-ish'), createdAt: Timestamp.now() }));
  });

  it('exactly senderId, text and createdAt: no extra or missing fields', async () => {
    await assertFails(addDoc(messages(u.bob), { ...newMessage('bob', 't'), pinned: true }));
    await assertFails(addDoc(messages(u.bob), { senderId: 'bob', text: 't' }));
  });

  it('non-members, removed members, banned users and users without the chat claim cannot send', async () => {
    await assertFails(addDoc(messages(u.carol), newMessage('carol', 'let me in')));
    await assertFails(addDoc(messages(u.bobBanned), newMessage('bob', 'spam')));
    await assertFails(addDoc(messages(u.aliceWithoutChat), newMessage('alice', 'hi')));
    await asService(env, (db) => deleteDoc(doc(db, `rooms/${roomA}/members/bob`)));
    await assertFails(addDoc(messages(u.bob), newMessage('bob', 'still here?')));
  });
});

describe('a ban recorded but not yet applied', () => {
  // The service has written banned into users/{uid} but not yet set the
  // claims nor removed the member documents: the old token says chat.
  const banRecorded = (uid) => asService(env, (db) => setDoc(doc(db, `users/${uid}`), { claimsVersion: 2, chat: false, role: '', banned: true }));

  it('the banned member can no longer send, edit or delete', async () => {
    await banRecorded('alice');
    await assertFails(addDoc(messages(u.alice), newMessage('alice', 'spam')));
    await assertFails(updateDoc(message(u.alice, 'mAlice'), { text: 't', editedAt: serverTimestamp() }));
    await assertFails(deleteDoc(message(u.alice, 'mAlice')));
  });

  it('the others are unaffected', async () => {
    await banRecorded('alice');
    await assertSucceeds(addDoc(messages(u.bob), newMessage('bob', 'still here')));
  });
});

describe('reading', () => {
  it('a member pages messages in time order and counts them', async () => {
    const snap = await assertSucceeds(getDocs(query(messages(u.bob), orderBy('createdAt'), limit(50))));
    if (snap.size !== 2) throw new Error(`read ${snap.size} messages, want 2`);
    await assertSucceeds(getDocs(query(messages(u.bob), where('senderId', '==', 'alice'))));
    const count = await assertSucceeds(getCountFromServer(messages(u.bob)));
    if (count.data().count !== 2) throw new Error(`count ${count.data().count}`);
  });

  it('a non-member reads nothing, whatever the query', async () => {
    await assertFails(getDocs(messages(u.carol)));
    await assertFails(getDoc(message(u.carol, 'mAlice')));
    await assertFails(getDocs(query(messages(u.carol), where('senderId', '==', 'carol'))));
  });

  it('collection-group queries over all messages are denied', async () => {
    await assertFails(getDocs(collectionGroup(u.bob, 'messages')));
    await assertFails(getDocs(query(collectionGroup(u.bob, 'messages'), where('senderId', '==', 'bob'))));
  });

  it('access ends with the member document, not with the token', async () => {
    await assertSucceeds(getDocs(messages(u.bob)));
    await asService(env, (db) => deleteDoc(doc(db, `rooms/${roomA}/members/bob`)));
    await assertFails(getDocs(messages(u.bob)));
  });
});

describe('editing', () => {
  const edit = (text) => ({ text, editedAt: serverTimestamp() });

  it('the sender edits text, stamping editedAt with serverTimestamp()', async () => {
    await assertSucceeds(updateDoc(message(u.alice, 'mAlice'), edit('hello, bob')));
  });

  it("nobody edits someone else's message", async () => {
    await assertFails(updateDoc(message(u.alice, 'mBob'), edit('bob never said this')));
    await assertFails(setDoc(message(u.alice, 'mBob'), newMessage('alice', 'mine now')));
    await assertFails(updateDoc(message(u.moderator, 'mBob'), edit('moderated')));
  });

  it('an edit changes only text and editedAt', async () => {
    await assertFails(updateDoc(message(u.alice, 'mAlice'), { ...edit('t'), senderId: 'bob' }));
    await assertFails(updateDoc(message(u.alice, 'mAlice'), { ...edit('t'), createdAt: serverTimestamp() }));
    await assertFails(updateDoc(message(u.alice, 'mAlice'), { ...edit('t'), pinned: true }));
    await assertFails(updateDoc(message(u.alice, 'mAlice'), { text: 'no editedAt' }));
    await assertFails(updateDoc(message(u.alice, 'mAlice'), { text: 't', editedAt: Timestamp.now() }));
    await assertFails(updateDoc(message(u.alice, 'mAlice'), { text: deleteField(), editedAt: serverTimestamp() }));
    await assertFails(updateDoc(message(u.alice, 'mAlice'), edit('')));
    await assertFails(updateDoc(message(u.alice, 'mAlice'), edit('y'.repeat(4001))));
  });

  it('a banned or removed sender can no longer edit', async () => {
    await assertFails(updateDoc(message(u.aliceBanned, 'mAlice'), edit('t')));
    await asService(env, (db) => deleteDoc(doc(db, `rooms/${roomA}/members/alice`)));
    await assertFails(updateDoc(message(u.alice, 'mAlice'), edit('t')));
  });
});

describe('deleting', () => {
  it('the sender deletes their own message', async () => {
    await assertSucceeds(deleteDoc(message(u.alice, 'mAlice')));
  });

  it("a member cannot delete someone else's message", async () => {
    await assertFails(deleteDoc(message(u.bob, 'mAlice')));
  });

  it('a moderator or admin deletes any message, member or not', async () => {
    await assertSucceeds(deleteDoc(message(u.moderator, 'mBob')));
    await assertSucceeds(deleteDoc(message(u.admin, 'mAlice')));
  });

  it('a banned sender can no longer delete', async () => {
    await assertFails(deleteDoc(message(u.aliceBanned, 'mAlice')));
  });

  it('a demotion or a ban recorded by the service takes moderator powers away at once, old token or not', async () => {
    // The service writes users/{uid} first, then the claims: these tokens
    // still say role: moderator / admin.
    await asService(env, (db) => setDoc(doc(db, 'users/mod'), { claimsVersion: 2, chat: true, role: 'user', banned: false }));
    await assertFails(deleteDoc(message(u.moderator, 'mBob')));
    await asService(env, (db) => setDoc(doc(db, 'users/mod'), { claimsVersion: 3, chat: false, role: 'moderator', banned: true }));
    await assertFails(deleteDoc(message(u.moderator, 'mBob')));
    await asService(env, (db) => setDoc(doc(db, 'users/root'), { claimsVersion: 2, chat: true, role: 'user' }));
    await assertFails(deleteDoc(message(u.admin, 'mAlice')));
    await asService(env, (db) => deleteDoc(doc(db, 'users/mod')));
    await assertFails(deleteDoc(message(u.moderator, 'mBob')));
  });

  it('a promotion recorded by the service needs a refreshed token', async () => {
    await asService(env, (db) => setDoc(doc(db, 'users/bob'), { claimsVersion: 2, chat: true, role: 'moderator', banned: false }));
    await assertFails(deleteDoc(message(u.bob, 'mAlice')));
    const refreshed = env.authenticatedContext('bob', { chat: true, role: 'moderator' }).firestore();
    await assertSucceeds(deleteDoc(message(refreshed, 'mAlice')));
  });

  it('a removed sender can no longer delete', async () => {
    await asService(env, (db) => deleteDoc(doc(db, `rooms/${roomA}/members/alice`)));
    await assertFails(deleteDoc(message(u.alice, 'mAlice')));
  });
});
