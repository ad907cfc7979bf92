// The emulator's HTTPS material: a local certificate authority (kept in a directory so that
// NODE_EXTRA_CA_CERTS stays valid across restarts) and a leaf certificate for loopback.
// Does file I/O. @azure/identity refuses a plain-HTTP authority, hence HTTPS at all.
//
// A process that trusts this CA trusts whatever it signs, so the CA is kept safe twice over: its
// folder must be its user's own (a CA planted in a shared /tmp by another local user was
// trusted), and the CA itself is name-constrained to loopback, so even its key could not vouch
// for login.microsoftonline.com or graph.microsoft.com.

// @peculiar/x509 resolves its internals through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
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

/** The CA folder when none is given: per user, so no other local user's folder is ever used. */
export function defaultCaDir(): string {
  const who = typeof process.getuid === 'function' ? String(process.getuid()) : safeName(userInfo().username);
  return join(tmpdir(), `entra-gitops-emulator-ca-${who}`);
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_') || 'user';
}

/** Makes the CA folder (0700) or checks the one there: a folder, not a symlink, owned by this
 * user, with no permission for group or others. Otherwise another local user could have put
 * their own CA there (or could swap it), and everything this process trusts it for. */
export async function privateCaDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Windows has no owner ids or mode bits to check; its temporary folder is per user already.
  if (typeof process.getuid !== 'function') return;
  const st = await lstat(dir);
  const refuse = (because: string): never => {
    throw new Error(`Could not use the emulator CA folder ${dir} because ${because}: a CA there is trusted for the emulator's HTTPS, and another local user could have put it there. (Hint: pass --ca-dir (or set ENTRA_GITOPS_EMULATOR_CA_DIR) to a folder of your own, e.g. one made by 'mktemp -d', or remove ${dir} if it is yours.)`);
  };
  if (st.isSymbolicLink()) refuse('it is a symbolic link');
  if (!st.isDirectory()) refuse('it is not a folder');
  if (st.uid !== process.getuid()) refuse(`it belongs to user id ${st.uid}, not to you (${process.getuid()})`);
  if ((st.mode & 0o077) !== 0) refuse(`its mode is ${(st.mode & 0o777).toString(8).padStart(4, '0')}, open to group or others (0700 expected)`);
}

/** RFC 5280 4.2.1.10, critical: only localhost, 127.0.0.0/8 and ::1 may be named by a certificate
 * this CA signs. @peculiar/x509 has no class for it; the DER is short enough to write out. */
const NAME_CONSTRAINTS_OID = '2.5.29.30';

function der(tag: number, content: Uint8Array): Uint8Array {
  // Every part here is shorter than 128 bytes: the short length form.
  if (content.length > 127) throw new Error('Could not encode the name constraints because a part is too long. (Hint: this is a bug.)');
  return Uint8Array.from([tag, content.length, ...content]);
}

function loopbackNameConstraints(): Uint8Array {
  const subtree = (generalName: Uint8Array): Uint8Array => der(0x30, generalName);
  const dns = (name: string): Uint8Array => der(0x82, new TextEncoder().encode(name)); // [2] dNSName
  const ip = (addressAndMask: number[]): Uint8Array => der(0x87, Uint8Array.from(addressAndMask)); // [7] iPAddress
  const v6loopback = [...new Array<number>(15).fill(0), 1];
  const permitted = [subtree(dns('localhost')), subtree(ip([127, 0, 0, 0, 255, 0, 0, 0])), subtree(ip([...v6loopback, ...new Array<number>(16).fill(255)]))];
  const all = Uint8Array.from(permitted.flatMap((p) => [...p]));
  return der(0x30, der(0xa0, all)); // NameConstraints { permittedSubtrees [0] }
}

async function loadOrCreateCa(dir: string): Promise<{ cert: x509.X509Certificate; key: Key; caFile: string }> {
  const caFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca-key.pem');
  await privateCaDir(dir);
  try {
    const [certPem, keyPem] = await Promise.all([readFile(caFile, 'utf8'), readFile(keyFile, 'utf8')]);
    const cert = new x509.X509Certificate(certPem);
    // One made before the CA was name-constrained is replaced: it could vouch for any host.
    const constrained = cert.getExtension(NAME_CONSTRAINTS_OID)?.critical === true;
    if (constrained && cert.notAfter.getTime() > Date.now() + DAY) {
      // One written before the final newline was added gets it now (see pemFile).
      if (!certPem.endsWith('\n')) await writeFile(caFile, pemFile(certPem), { mode: 0o644 });
      return { cert, key: await importKeyPem(keyPem), caFile };
    }
  } catch {
    // No CA yet (or an unreadable one): make a new one below.
  }
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
      new x509.Extension(NAME_CONSTRAINTS_OID, true, loopbackNameConstraints()),
    ],
  });
  await writeFile(keyFile, await exportKeyPem(keys.privateKey), { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(caFile, pemFile(cert.toString('pem')), { mode: 0o644 });
  return { cert, key: keys.privateKey, caFile };
}

/** @peculiar/x509's PEM has no final newline. A file without one breaks a CA bundle made by
 * concatenation (`cat ca.pem other.pem > bundle.pem`): the next file's BEGIN line is glued to
 * this one's END line, and that certificate is lost. */
function pemFile(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
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
