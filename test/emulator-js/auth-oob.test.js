// Out-of-band codes and email-link sign-in through the JS Auth SDK: the
// emails the SDK asks for are read back from the emulator's oobCodes list,
// as a test against either Google's emulator or ours does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { deleteApp, initializeApp } from 'firebase/app';
import {
  applyActionCode, checkActionCode, confirmPasswordReset, connectAuthEmulator, createUserWithEmailAndPassword,
  fetchSignInMethodsForEmail, getAuth, isSignInWithEmailLink, sendEmailVerification, sendPasswordResetEmail,
  sendSignInLinkToEmail, signInWithEmailAndPassword, signInWithEmailLink, signOut, verifyBeforeUpdateEmail,
  verifyPasswordResetCode,
} from 'firebase/auth';
import { emulatorHost, projectId } from './lib/helpers.js';

let app;
let auth;
const id = randomBytes(6).toString('hex');
const base = () => `http://${emulatorHost('FIREBASE_AUTH_EMULATOR_HOST').address}`;

before(() => {
  app = initializeApp({ projectId: projectId(), apiKey: 'fake-api-key' }, 'auth-oob-test');
  auth = getAuth(app);
  connectAuthEmulator(auth, base(), { disableWarnings: true });
});
after(async () => {
  await signOut(auth).catch(() => {});
  await deleteApp(app).catch(() => {});
});

/** The newest pending code whose field equals value. */
async function pendingCode(field, value) {
  const res = await fetch(`${base()}/emulator/v1/projects/${projectId()}/oobCodes`);
  assert.equal(res.status, 200);
  const { oobCodes } = await res.json();
  const found = oobCodes.filter((c) => c[field] === value).at(-1);
  assert.ok(found, `no pending code with ${field}=${value}`);
  return found;
}

describe('Auth emulator out-of-band codes', () => {
  const email = `oob-${id}@example.com`;

  it('verifies an email with sendEmailVerification + applyActionCode', async () => {
    const cred = await createUserWithEmailAndPassword(auth, email, 'secret123');
    assert.equal(cred.user.emailVerified, false);
    await sendEmailVerification(cred.user);
    const code = await pendingCode('email', email);
    assert.equal(code.requestType, 'VERIFY_EMAIL');
    const info = await checkActionCode(auth, code.oobCode);
    assert.equal(info.operation, 'VERIFY_EMAIL');
    assert.equal(info.data.email, email);
    await applyActionCode(auth, code.oobCode);
    await cred.user.reload();
    assert.equal(cred.user.emailVerified, true);
    await assert.rejects(applyActionCode(auth, code.oobCode), { code: 'auth/invalid-action-code' });
  });

  it('resets a password with sendPasswordResetEmail + confirmPasswordReset', async () => {
    await signOut(auth);
    await sendPasswordResetEmail(auth, email);
    const code = await pendingCode('email', email);
    assert.equal(code.requestType, 'PASSWORD_RESET');
    assert.equal(await verifyPasswordResetCode(auth, code.oobCode), email);
    await confirmPasswordReset(auth, code.oobCode, 'another123');
    await signInWithEmailAndPassword(auth, email, 'another123');
    await assert.rejects(signInWithEmailAndPassword(auth, email, 'secret123'),
      (e) => ['auth/wrong-password', 'auth/invalid-credential'].includes(e.code));
  });

  it('changes the email with verifyBeforeUpdateEmail once the new address is confirmed', async () => {
    const newEmail = `moved-${id}@example.com`;
    await verifyBeforeUpdateEmail(auth.currentUser, newEmail);
    const code = await pendingCode('newEmail', newEmail);
    assert.equal(code.requestType, 'VERIFY_AND_CHANGE_EMAIL');
    assert.equal(code.email, email);
    await applyActionCode(auth, code.oobCode);
    await signOut(auth);
    const cred = await signInWithEmailAndPassword(auth, newEmail, 'another123');
    assert.equal(cred.user.email, newEmail);
    assert.equal(cred.user.emailVerified, true);
  });

  it('signs in with an email link, and reports the sign-in methods', async () => {
    await signOut(auth);
    const linkEmail = `link-${id}@example.com`;
    await sendSignInLinkToEmail(auth, linkEmail, { url: 'https://app.example.com/finish', handleCodeInApp: true });
    const { oobLink, requestType } = await pendingCode('email', linkEmail);
    assert.equal(requestType, 'EMAIL_SIGNIN');
    assert.ok(isSignInWithEmailLink(auth, oobLink), oobLink);
    await assert.rejects(signInWithEmailLink(auth, `other-${id}@example.com`, oobLink), { code: 'auth/invalid-email' });
    const cred = await signInWithEmailLink(auth, linkEmail, oobLink);
    assert.equal(cred.user.email, linkEmail);
    assert.equal(cred.user.emailVerified, true);
    assert.deepEqual(await fetchSignInMethodsForEmail(auth, linkEmail), ['emailLink']);
    assert.deepEqual(await fetchSignInMethodsForEmail(auth, `moved-${id}@example.com`), ['password']);
    assert.deepEqual(await fetchSignInMethodsForEmail(auth, `nobody-${id}@example.com`), []);
  });
});
