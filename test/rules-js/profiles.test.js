// Profiles: profiles/{uid} = { displayName, avatarUrl }, written by the
// service (PUT /v1/me/profile); any admitted user reads one by uid, nobody
// lists them, no client writes them.
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import {
  collection, deleteDoc, deleteField, doc, getCountFromServer, getDoc, getDocs, limit, query, setDoc, updateDoc, where,
} from 'firebase/firestore';
import { asService, rulesEnvironment, seed, users } from './lib/env.js';

let env;
let u;
before(async () => {
  env = await rulesEnvironment();
  u = users(env);
});
after(async () => { await env?.cleanup(); });
beforeEach(async () => {
  await seed(env);
  await asService(env, (db) => Promise.all([
    setDoc(doc(db, 'profiles/alice'), { displayName: 'Alice', avatarUrl: 'https://example.com/a.png' }),
    setDoc(doc(db, 'profiles/bob'), { displayName: 'Bob', avatarUrl: '' }),
  ]));
});

const profile = (db, uid) => doc(db, `profiles/${uid}`);
const forged = { displayName: 'Admin', avatarUrl: 'https://evil.example/x.png' };

describe('profiles', () => {
  it('any admitted user reads a profile by uid, in a shared room or not', async () => {
    await assertSucceeds(getDoc(profile(u.alice, 'bob')));
    await assertSucceeds(getDoc(profile(u.carol, 'alice')));
    await assertSucceeds(getDoc(profile(u.bob, 'bob')));
    await assertSucceeds(getDoc(profile(u.carol, 'nobody-yet')));
  });

  it('signed out, without the chat claim, or banned: denied', async () => {
    await assertFails(getDoc(profile(u.stranger, 'alice')));
    await assertFails(getDoc(profile(u.aliceWithoutChat, 'bob')));
    await assertFails(getDoc(profile(u.aliceBanned, 'bob')));
  });

  it('profiles cannot be listed, queried or counted', async () => {
    await assertFails(getDocs(collection(u.alice, 'profiles')));
    await assertFails(getDocs(query(collection(u.alice, 'profiles'), where('displayName', '==', 'Bob'))));
    await assertFails(getDocs(query(collection(u.admin, 'profiles'), limit(1))));
    await assertFails(getCountFromServer(collection(u.alice, 'profiles')));
  });

  it('clients never write profiles, not even their own: PUT /v1/me/profile does', async () => {
    await assertFails(setDoc(profile(u.carol, 'carol'), forged));
    await assertFails(setDoc(profile(u.alice, 'alice'), forged));
    await assertFails(updateDoc(profile(u.alice, 'alice'), { displayName: 'Admin' }));
    await assertFails(updateDoc(profile(u.alice, 'alice'), { avatarUrl: deleteField() }));
    await assertFails(deleteDoc(profile(u.alice, 'alice')));
    await assertFails(setDoc(profile(u.admin, 'bob'), forged));
  });
});
