// The emulator's HTTPS material: a local certificate authority (kept in a directory so that
// NODE_EXTRA_CA_CERTS stays valid across restarts) and a leaf certificate for loopback.
// Does file I/O. @azure/identity refuses a plain-HTTP authority, hence HTTPS at all.

// @peculiar/x509 resolves its internals through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 is typed against the DOM's WebCrypto; Node's is the same API under other names.
type Key = webcrypto.CryptoKey;
type KeyPair = webcrypto.CryptoKeyPair;
type SelfSignedParams = x509.X509CertificateCreateSelfSignedParams;
type CreateParams = x509.X509CertificateCreateWithKeyParams;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 60 * 60 * 1000;

export interface TlsMaterial {
  /** Path of the CA certificate (PEM) that clients trust through NODE_EXTRA_CA_CERTS. */
  caFile: string;
  cert: string;
  key: string;
}

async function exportKeyPem(key: Key): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<Key> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('Could not read the emulator CA key because the file holds no PEM block. (Hint: delete the CA directory to make a new one.)');
  return webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
}

async function loadOrCreateCa(dir: string): Promise<{ cert: x509.X509Certificate; key: Key; caFile: string }> {
  const caFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca-key.pem');
  try {
    const [certPem, keyPem] = await Promise.all([readFile(caFile, 'utf8'), readFile(keyFile, 'utf8')]);
    const cert = new x509.X509Certificate(certPem);
    if (cert.notAfter.getTime() > Date.now() + DAY) return { cert, key: await importKeyPem(keyPem), caFile };
  } catch {
    // No CA yet (or an unreadable one): make a new one below.
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keys: KeyPair = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=entra-gitops emulator local CA',
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: ALG,
    keys: keys as unknown as SelfSignedParams['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  await writeFile(keyFile, await exportKeyPem(keys.privateKey), { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(caFile, cert.toString('pem'));
  return { cert, key: keys.privateKey, caFile };
}

function randomSerial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(12))).toString('hex').replace(/^[89a-f]/, '1');
}

/** Loads (or makes) the CA in `caDir` and issues a fresh leaf for localhost, 127.0.0.1 and ::1. */
export async function tlsMaterial(caDir: string): Promise<TlsMaterial> {
  const ca = await loadOrCreateCa(caDir);
  const keys: KeyPair = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: 'CN=localhost',
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 30 * DAY),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey as unknown as CreateParams['publicKey'],
    signingKey: ca.key as unknown as CreateParams['signingKey'],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
    ],
  });
  return { caFile: ca.caFile, cert: leaf.toString('pem') + '\n' + ca.cert.toString('pem'), key: await exportKeyPem(keys.privateKey) };
}
