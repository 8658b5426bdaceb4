// IdP sign-in with the emulators' fake credentials through the JS Auth SDK:
// an IdP id_token is a JSON object of claims (sub, email, email_verified, name).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { deleteApp, initializeApp } from 'firebase/app';
import {
  GoogleAuthProvider, OAuthProvider, connectAuthEmulator, createUserWithEmailAndPassword, fetchSignInMethodsForEmail,
  getAuth, linkWithCredential, signInWithCredential, signInWithEmailAndPassword, signOut,
} from 'firebase/auth';
import { emulatorHost, projectId } from './lib/helpers.js';

let app;
let auth;
const id = randomBytes(6).toString('hex');

before(() => {
  app = initializeApp({ projectId: projectId(), apiKey: 'fake-api-key' }, 'auth-idp-test');
  auth = getAuth(app);
  connectAuthEmulator(auth, `http://${emulatorHost('FIREBASE_AUTH_EMULATOR_HOST').address}`, { disableWarnings: true });
});
after(async () => {
  await signOut(auth).catch(() => {});
  await deleteApp(app).catch(() => {});
});

const googleCred = (claims) => GoogleAuthProvider.credential(JSON.stringify(claims));

describe('Auth emulator IdP sign-in', () => {
  const email = `idp-${id}@example.com`;
  let uid;

  it('signs up, then signs in again, with a fake Google id_token', async () => {
    const claims = { sub: `g-${id}`, email, email_verified: true, name: 'Ida' };
    const first = await signInWithCredential(auth, googleCred(claims));
    uid = first.user.uid;
    assert.equal(first.user.email, email);
    assert.equal(first.user.displayName, 'Ida');
    assert.equal(first.user.emailVerified, true);
    assert.deepEqual(first.user.providerData.map((p) => p.providerId), ['google.com']);
    const token = await first.user.getIdTokenResult();
    assert.equal(token.signInProvider, 'google.com');
    assert.deepEqual(token.claims.firebase.identities['google.com'], [`g-${id}`]);
    await signOut(auth);
    const again = await signInWithCredential(auth, googleCred(claims));
    assert.equal(again.user.uid, uid);
    assert.deepEqual(await fetchSignInMethodsForEmail(auth, email), ['google.com']);
  });

  it('links a second provider to the signed-in user, and refuses one linked elsewhere', async () => {
    const cred = new OAuthProvider('oidc.example').credential({ idToken: JSON.stringify({ sub: `o-${id}` }) });
    const linked = await linkWithCredential(auth.currentUser, cred);
    assert.equal(linked.user.uid, uid);
    assert.deepEqual(linked.user.providerData.map((p) => p.providerId).sort(), ['google.com', 'oidc.example']);
    await signOut(auth);
    await createUserWithEmailAndPassword(auth, `other-${id}@example.com`, 'secret123');
    await assert.rejects(linkWithCredential(auth.currentUser, googleCred({ sub: `g-${id}` })),
      { code: 'auth/credential-already-in-use' });
  });

  it('does not sign in to an existing account through an unverified IdP email', async () => {
    await signOut(auth);
    const pwEmail = `pw-${id}@example.com`;
    await createUserWithEmailAndPassword(auth, pwEmail, 'secret123');
    await signOut(auth);
    await assert.rejects(signInWithCredential(auth, googleCred({ sub: `x-${id}`, email: pwEmail, email_verified: false })),
      { code: 'auth/account-exists-with-different-credential' });
    assert.equal(auth.currentUser, null);
    // The password still works: nothing was taken over.
    await signInWithEmailAndPassword(auth, pwEmail, 'secret123');
  });
});
