const DIACRITICS = /[\u0300-\u036f]/g;
const WORD = /[a-z0-9]+/g;

/** Lower-case word tokens: accents folded, punctuation dropped ("don't" -> "don", "t", as GloVe splits it). */
export function tokenizeUtterance(text: string): string[] {
  return text.normalize('NFKD').replace(DIACRITICS, '').toLowerCase().match(WORD) ?? [];
}
