// An independent check of a Europass credential's eddsa-jcs-2022 proof (W3C vc-di-eddsa,
// section 3.3): JSON Canonicalization Scheme by `canonicalize` (the RFC 8785 reference
// implementation by one of its authors), SHA-256 and Ed25519 by Node's crypto, and the key taken
// from the issuer's published profile, which must list it as an assertion method. Digital
// Bazaar's verifier cannot take this credential: its contexts cannot be processed together.
//
//   node verify-jcs.mjs --base http://127.0.0.1:5000 FILE
//
// Prints one JSON line: {"verified": true|false, "errors": [...]}.

import {createHash, createPublicKey, verify} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import canonicalize from 'canonicalize';
import * as base58 from 'base58-universal';
import {documentLoaderFor} from './loader.mjs';

const args = process.argv.slice(2);
const base = args[args.indexOf('--base') + 1].replace(/\/$/, '');
const file = args.find((arg, index) => !arg.startsWith('--') && args[index - 1] !== '--base');
const sha256 = text => createHash('sha256').update(text, 'utf8').digest();

async function check(credential) {
  const proofs = Array.isArray(credential.proof) ? credential.proof : [credential.proof];
  if (proofs.length !== 1) return 'expected exactly one proof';
  const proof = proofs[0];
  if (proof.type !== 'DataIntegrityProof' || proof.cryptosuite !== 'eddsa-jcs-2022') {
    return 'not a DataIntegrityProof with eddsa-jcs-2022';
  }
  if (proof.proofPurpose !== 'assertionMethod') return 'the proof purpose is not assertionMethod';
  const issuer = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer.id;
  const [controller] = proof.verificationMethod.split('#');
  if (controller !== issuer) return 'the key is not the issuer\'s';
  const documentLoader = documentLoaderFor(base);
  const {document: profile} = await documentLoader(controller);
  if (!(profile.assertionMethod || []).includes(proof.verificationMethod)) {
    return 'the issuer does not list the key as an assertion method';
  }
  const {document: method} = await documentLoader(proof.verificationMethod);
  const multikey = base58.decode(method.publicKeyMultibase.slice(1));
  if (multikey[0] !== 0xed || multikey[1] !== 0x01) return 'not an Ed25519 key';
  const key = createPublicKey({
    key: {kty: 'OKP', crv: 'Ed25519', x: Buffer.from(multikey.slice(2)).toString('base64url')},
    format: 'jwk',
  });
  const {proof: _proof, ...unsecured} = credential;
  const {proofValue, ...config} = proof;
  config['@context'] = unsecured['@context'];
  const hashData = Buffer.concat([sha256(canonicalize(config)), sha256(canonicalize(unsecured))]);
  const signature = Buffer.from(base58.decode(proofValue.slice(1)));
  return verify(null, hashData, key, signature) ? null : 'the signature does not match';
}

let output;
try {
  const error = await check(JSON.parse(await readFile(file, 'utf8')));
  output = {verified: error === null, errors: error ? [error] : []};
} catch (error) {
  output = {verified: false, errors: [error.message]};
}
console.log(JSON.stringify(output));
