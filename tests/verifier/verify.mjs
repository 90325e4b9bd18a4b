// An independent verifier of the platform's credentials: Digital Bazaar's @digitalbazaar/vc
// with the eddsa-rdfc-2022 cryptosuite, as an employer's or another registry's software would
// run it (contexts and fetching: loader.mjs).
//
//   node verify.mjs --base http://127.0.0.1:5000 FILE [--status]
//
// Prints one JSON line: {"verified": true|false, "errors": [...], "status": {...}}.

import {readFile} from 'node:fs/promises';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {documentLoaderFor} from './loader.mjs';

const args = process.argv.slice(2);
const base = args[args.indexOf('--base') + 1].replace(/\/$/, '');
const file = args.find((arg, index) => !arg.startsWith('--') && args[index - 1] !== '--base');
const withStatus = args.includes('--status');

const documentLoader = documentLoaderFor(base);
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

function errorsOf(result) {
  const errors = [];
  const collect = error => {
    if (!error) return;
    if (Array.isArray(error)) return error.forEach(collect);
    errors.push(error.message || String(error));
    if (error.details && error.details.event) {
      const event = error.details.event;
      errors.push(`${event.code}: ${JSON.stringify(event.details)}`);
    }
    if (error.errors) collect(error.errors);
    if (error.cause) collect(error.cause);
  };
  collect(result.error);
  for (const proof of result.results || []) {
    if (!proof.verified) collect(proof.error);
  }
  return [...new Set(errors)];
}

const credential = JSON.parse(await readFile(file, 'utf8'));
const options = {credential, suite, documentLoader};
if (withStatus) {
  options.checkStatus = checkStatus;
}
let output;
try {
  const result = await vc.verifyCredential(options);
  output = {
    verified: result.verified === true,
    errors: errorsOf(result),
    status: result.statusResult || null,
  };
  // A status check reports the bit; a set bit in a revocation list means revoked.
  for (const entry of (result.statusResult && result.statusResult.results) || []) {
    if (entry.status === true && entry.credentialStatus.statusPurpose === 'revocation') {
      output.verified = false;
      output.errors.push('revoked: its bit is set in ' +
        entry.credentialStatus.statusListCredential);
    }
  }
} catch (error) {
  output = {verified: false, errors: [error.message]};
}
console.log(JSON.stringify(output));
