/**
 * Text similarity for grouping rumour reports, with no external service: texts are normalised
 * (lower case, no diacritics or punctuation, Arabic letter variants folded), cut into words,
 * common function words of English, French and Arabic dropped, and light plural endings removed.
 * Two texts are compared by the Jaccard index of their word sets, and by that of their character
 * trigrams (which forgives misspellings, frequent in SMS); the higher of the two counts.
 */

const STOPWORDS = new Set(
  [
    // English
    'a an the is are was were be been being am i you he she it we they me him her us them my your his its our their this that these those there here of in on at to for from by with about as and or but not no yes do does did done have has had will would can could should may might must say says said heard hear told tell people someone true really rumour rumor if what when where who why how which just very so than then also all any some',
    // French
    'le la les un une des du de d l et ou mais pas ne n est sont etait etaient etre a ai as ont avait je tu il elle on nous vous ils elles me te se mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs ce cet cette ces ca cela qui que qu quoi dans sur sous pour par avec sans au aux en y vrai vraiment rumeur dit disent entendu il y si',
    // Arabic (normalised spelling)
    'في من على الى عن مع هذا هذه ذلك تلك هو هي هم انا انت نحن كان كانت يكون ان او و ما لا لم لن قد هل يقولون قال سمعت سمعنا صحيح حقا شائعه اشاعه الذي التي',
  ]
    .join(' ')
    .split(/\s+/),
);

/** Lower case, diacritics and punctuation removed, Arabic alef/yeh/teh marbuta folded. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\u0622\u0623\u0625]/g, '\u0627')
    .replace(/\u0649/g, '\u064a')
    .replace(/\u0629/g, '\u0647')
    .replace(/\u0640/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function stem(word: string): string {
  if (/^[a-z]+$/.test(word) && word.length > 4) {
    if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
    if (word.endsWith('es') && !word.endsWith('ses')) return word.slice(0, -2);
    if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  }
  // Arabic definite article.
  if (/^ال\p{L}{3,}$/u.test(word)) return word.slice(2);
  return word;
}

/** The content words of a text. */
export function tokens(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of normaliseText(text).split(' ')) {
    if (word.length < 2 || STOPWORDS.has(word)) continue;
    out.add(stem(word));
  }
  return out;
}

/** Character trigrams of the content words, joined by spaces. */
export function trigrams(text: string): Set<string> {
  const joined = ` ${[...tokens(text)].sort().join(' ')} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= joined.length; i++) out.add(joined.slice(i, i + 3));
  return out;
}

export function jaccard<T>(a: Set<T>, b: Set<T>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/** Similarity of two texts in [0, 1]. */
export function similarity(a: string, b: string): number {
  return Math.max(jaccard(tokens(a), tokens(b)), jaccard(trigrams(a), trigrams(b)));
}
