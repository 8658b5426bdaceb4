// Rooms, members, the per-user index, users/{uid} and the server-only
// collections, as a mobile client sees them. Contract: docs/ARCHITECTURE.md, "The rules
// contract".
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import {
  collection, collectionGroup, deleteDoc, doc, getDoc, getDocs, limit, query, setDoc, updateDoc, where,
} from 'firebase/firestore';
import { roomA, roomB, rulesEnvironment, seed, users } from './lib/env.js';

let env;
let u;
before(async () => {
  env = await rulesEnvironment();
  u = users(env);
});
after(async () => { await env?.cleanup(); });
beforeEach(async () => { await seed(env); });

describe('rooms', () => {
  it('a member reads the room', async () => {
    await assertSucceeds(getDoc(doc(u.bob, `rooms/${roomA}`)));
  });

  it('someone who knows the room ID but is not a member is denied', async () => {
    await assertFails(getDoc(doc(u.carol, `rooms/${roomA}`)));
  });

  it('a guessed room ID is denied exactly like a real one', async () => {
    await assertFails(getDoc(doc(u.carol, 'rooms/Aa1Bb2Cc3Dd4Ee5Ff6Gg7H')));
  });

  it('nobody can enumerate rooms, not even their own', async () => {
    await assertFails(getDocs(collection(u.alice, 'rooms')));
    await assertFails(getDocs(query(collection(u.alice, 'rooms'), where('createdBy', '==', 'alice'))));
  });

  it('clients never write rooms: creating, renaming and deleting go through the service', async () => {
    await assertFails(setDoc(doc(u.alice, 'rooms/Aa1Bb2Cc3Dd4Ee5Ff6Gg7H'), { createdBy: 'alice', title: 'x', kind: 'group', memberCount: 1 }));
    await assertFails(updateDoc(doc(u.alice, `rooms/${roomA}`), { title: 'renamed' }));
    await assertFails(deleteDoc(doc(u.alice, `rooms/${roomA}`)));
  });

  it('without the chat claim, banned, or signed out: denied', async () => {
    await assertFails(getDoc(doc(u.aliceWithoutChat, `rooms/${roomA}`)));
    await assertFails(getDoc(doc(u.bobBanned, `rooms/${roomA}`)));
    await assertFails(getDoc(doc(u.stranger, `rooms/${roomA}`)));
  });
});

describe('members', () => {
  it('a member lists who is in the room', async () => {
    const snap = await assertSucceeds(getDocs(collection(u.bob, `rooms/${roomA}/members`)));
    if (snap.size !== 2) throw new Error(`listed ${snap.size} members, want 2`);
  });

  it('a non-member cannot list or read members', async () => {
    await assertFails(getDocs(collection(u.carol, `rooms/${roomA}/members`)));
    await assertFails(getDoc(doc(u.carol, `rooms/${roomA}/members/alice`)));
  });

  it('nobody joins, promotes or removes by writing member documents', async () => {
    await assertFails(setDoc(doc(u.carol, `rooms/${roomA}/members/carol`), { role: 'member', addedBy: 'carol' }));
    await assertFails(updateDoc(doc(u.bob, `rooms/${roomA}/members/bob`), { role: 'owner' }));
    await assertFails(deleteDoc(doc(u.alice, `rooms/${roomA}/members/bob`)));
  });

  it('collection-group queries over members are denied', async () => {
    await assertFails(getDocs(collectionGroup(u.alice, 'members')));
    await assertFails(getDocs(query(collectionGroup(u.alice, 'members'), where('role', '==', 'owner'))));
  });
});

describe('the per-user room index and users/{uid}', () => {
  it('a user lists their own rooms from users/{uid}/rooms', async () => {
    const snap = await assertSucceeds(getDocs(query(collection(u.alice, 'users/alice/rooms'), limit(20))));
    if (snap.size !== 1 || snap.docs[0].id !== roomA) throw new Error(`index lists ${snap.docs.map((d) => d.id)}`);
  });

  it('the index needs the chat claim', async () => {
    await assertFails(getDocs(collection(u.aliceWithoutChat, 'users/alice/rooms')));
  });

  it("another user's index is closed, and nobody writes an index", async () => {
    await assertFails(getDocs(collection(u.bob, 'users/alice/rooms')));
    await assertFails(setDoc(doc(u.alice, `users/alice/rooms/${roomB}`), { title: 'Notes', kind: 'group', role: 'member' }));
  });

  it('users/{uid} is readable by its owner even without the chat claim', async () => {
    await assertSucceeds(getDoc(doc(u.aliceWithoutChat, 'users/alice')));
    await assertSucceeds(getDoc(doc(u.alice, 'users/alice')));
  });

  it('users/{uid} is closed to others, to banned users and to writes', async () => {
    await assertFails(getDoc(doc(u.bob, 'users/alice')));
    await assertFails(getDoc(doc(u.bobBanned, 'users/bob')));
    await assertFails(updateDoc(doc(u.alice, 'users/alice'), { claimsVersion: 2 }));
  });
});

describe('server-only collections', () => {
  for (const path of ['idempotency/alice-key-1', 'directRooms/0f3a9c', 'audit/e1',
    'invites/5d1f0c', 'userLookup/9a2b7e', 'profileSettings/alice', 'reports/7c4e1a', 'users/alice/blocks/bob']) {
    const coll = path.split('/').slice(0, -1).join('/');
    it(`${coll} is closed to every client`, async () => {
      await assertFails(getDoc(doc(u.alice, path)));
      await assertFails(getDoc(doc(u.moderator, path)));
      await assertFails(getDocs(collection(u.alice, coll)));
      await assertFails(setDoc(doc(u.alice, path), { forged: true }));
    });
  }
});

describe('push notification data is server-only', () => {
  const paths = () => ['users/alice/devices/alice-phone', `rooms/${roomA}/pushMutes/alice`, `pushDeliveries/${roomA}_mAlice`];
  it('is closed to every client, its owner and room members included', async () => {
    for (const path of paths()) {
      const coll = path.slice(0, path.lastIndexOf('/'));
      await assertFails(getDoc(doc(u.alice, path)));
      await assertFails(getDoc(doc(u.moderator, path)));
      await assertFails(getDocs(collection(u.alice, coll)));
      await assertFails(setDoc(doc(u.alice, path), { token: 'forged-token-forged-token' }));
      await assertFails(deleteDoc(doc(u.alice, path)));
    }
  });
});
