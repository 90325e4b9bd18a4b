// RDF Dataset Canonicalization (RDFC-1.0) of a JSON-LD document by Digital Bazaar's jsonld.js
// and rdf-canonize, the implementation the spec's editors maintain: the platform's own
// canonicaliser (pyld) is checked against it.
//
//   node canonize.mjs FILE    -> the canonical N-Quads on stdout

import {readFile} from 'node:fs/promises';
import jsonld from 'jsonld';
import {documentLoaderFor} from './loader.mjs';

const document = JSON.parse(await readFile(process.argv[2], 'utf8'));
const nquads = await jsonld.canonize(document, {
  algorithm: 'RDFC-1.0',
  format: 'application/n-quads',
  documentLoader: documentLoaderFor(null),
  // Not safe mode: the previous release's credentials name one type no context defines
  // (fixed since); the comparison is of what each canonicaliser makes of the same input.
  safe: false,
});
process.stdout.write(nquads);
