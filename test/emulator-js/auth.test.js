// The Auth emulator through the JS Auth SDK, and its ID tokens used by the
// JS Firestore SDK under the rules: sign-up -> ID token -> custom claims
// set by an admin -> refreshed token -> rules see the claim.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deleteApp, initializeApp } from 'firebase/app';
import {
  connectAuthEmulator, createUserWithEmailAndPassword, getAuth, signInWithEmailAndPassword, signOut,
} from 'firebase/auth';
import { connectFirestoreEmulator, doc, getDoc, getFirestore, setDoc, terminate } from 'firebase/firestore';
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { emulatorHost, projectId, testEnvironment } from './lib/helpers.js';
import { rules } from './lib/rules.js';

let env;
let app;
let auth;
let db;
before(async () => {
  env = await testEnvironment(rules);
  // The accounts of earlier runs against the same emulator are removed.
  const res = await fetch(`http://${emulatorHost('FIREBASE_AUTH_EMULATOR_HOST').address}/emulator/v1/projects/${projectId()}/accounts`, { method: 'DELETE' });
  assert.ok(res.ok, `clear accounts: ${res.status}`);
  app = initializeApp({ projectId: projectId(), apiKey: 'fake-api-key' }, 'auth-test');
  auth = getAuth(app);
  connectAuthEmulator(auth, `http://${emulatorHost('FIREBASE_AUTH_EMULATOR_HOST').address}`, { disableWarnings: true });
  db = getFirestore(app);
  const fs = emulatorHost('FIRESTORE_EMULATOR_HOST');
  connectFirestoreEmulator(db, fs.host, fs.port);
});
after(async () => {
  await signOut(auth).catch(() => {});
  await terminate(db).catch(() => {});
  await deleteApp(app).catch(() => {});
  await env?.cleanup();
});

/** Decodes an ID token's payload (the emulator's tokens are unsigned). */
function payload(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

/** Sets custom claims as an admin does, through the emulator's REST API. */
async function setCustomClaims(uid, claims) {
  const url = `http://${emulatorHost('FIREBASE_AUTH_EMULATOR_HOST').address}/identitytoolkit.googleapis.com/v1/projects/${projectId()}/accounts:update`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer owner' },
    body: JSON.stringify({ localId: uid, customAttributes: JSON.stringify(claims) }),
  });
  assert.equal(res.status, 200, await res.text());
}

describe('Auth emulator', () => {
  let uid;

  it('signs up with email and password and issues an ID token for the user', async () => {
    const cred = await createUserWithEmailAndPassword(auth, 'Alice@Example.com', 'secret123');
    uid = cred.user.uid;
    assert.match(uid, /^[A-Za-z0-9]{28}$/);
    assert.equal(cred.user.email, 'alice@example.com');
    const res = await cred.user.getIdTokenResult();
    assert.equal(res.claims.email, 'alice@example.com');
    assert.equal(res.claims.user_id, uid);
    assert.equal(res.claims.sub, uid);
    assert.equal(res.signInProvider, 'password');
    const p = payload(res.token);
    assert.equal(p.aud, projectId());
    assert.equal(p.iss, `https://securetoken.google.com/${projectId()}`);
    assert.ok(p.exp > Date.now() / 1000, 'token is not expired');
  });

  it('signs in again with the password, and rejects a wrong one or a duplicate sign-up', async () => {
    await signOut(auth);
    assert.equal(auth.currentUser, null);
    const cred = await signInWithEmailAndPassword(auth, 'alice@example.com', 'secret123');
    assert.equal(cred.user.uid, uid);
    await assert.rejects(signInWithEmailAndPassword(auth, 'alice@example.com', 'wrong-password'),
      (e) => ['auth/wrong-password', 'auth/invalid-credential'].includes(e.code));
    await assert.rejects(signInWithEmailAndPassword(auth, 'nobody@example.com', 'secret123'),
      (e) => ['auth/user-not-found', 'auth/invalid-credential'].includes(e.code));
    await assert.rejects(createUserWithEmailAndPassword(auth, 'alice@example.com', 'other123'), { code: 'auth/email-already-in-use' });
    assert.equal(auth.currentUser.uid, uid);
  });

  it('sends the signed-in user\'s ID token to Firestore, where the rules see it', async () => {
    await assertSucceeds(setDoc(doc(db, 'profiles', uid), { name: 'Alice' }));
    await assertFails(setDoc(doc(db, 'profiles', 'someone-else'), { name: 'Alice' }));
    assert.equal((await getDoc(doc(db, 'profiles', uid))).data().name, 'Alice');
    // Without the admin claim the public collection is read-only.
    await assertFails(setDoc(doc(db, 'public', 'notice'), { text: 'hi' }));
  });

  it('carries custom claims in a refreshed token, and the rules see them', async () => {
    await setCustomClaims(uid, { admin: true });
    const before = await auth.currentUser.getIdTokenResult();
    assert.equal(before.claims.admin, undefined, 'the old token has no claim yet');
    const after = await auth.currentUser.getIdTokenResult(true);
    assert.equal(after.claims.admin, true);
    assert.equal(payload(after.token).admin, true);
    await assertSucceeds(setDoc(doc(db, 'public', 'notice'), { text: 'hi' }));
  });
});
