/**
 * The BERT "uncased" tokenizer as sentence encoders expect it: text is cleaned, lower-cased, its
 * accents removed and split at whitespace and punctuation; each word is then cut into the longest
 * vocabulary pieces from its start ("##" marks a piece that continues a word), or becomes [UNK]
 * when it cannot be cut.
 */
export interface WordPieceTokenizer {
  readonly vocabularySize: number;
  readonly classifyId: number;
  readonly separatorId: number;
  /** Piece ids of the text, without [CLS] and [SEP]. */
  encode(text: string): number[];
  /** The vocabulary entry of an id, for messages and tests. */
  pieceOf(id: number): string | undefined;
}

export class WordPieceVocabularyError extends Error {
  override readonly name = 'WordPieceVocabularyError';
}

/** Longer words are not split (BERT's limit): they become [UNK]. */
const MAX_WORD_CHARACTERS = 100;
const CONTROL = /[\p{Cc}\p{Cf}]/u;
const PUNCTUATION = /[\p{P}\p{S}]/u;
const MARK = /\p{Mn}/gu;
const CJK = /[\u4e00-\u9fff\u3400-\u4dbf\u{20000}-\u{2a6df}\u{2a700}-\u{2b73f}\u{2b740}-\u{2b81f}\u{2b820}-\u{2ceaf}\uf900-\ufaff\u{2f800}-\u{2fa1f}]/u;

/** Words and punctuation marks, as the basic (pre-WordPiece) BERT tokenizer splits them. */
function basicWords(text: string, lowerCase: boolean): string[] {
  let clean = '';
  for (const ch of text) {
    if (ch === '\u0000' || ch === '\ufffd') continue;
    if (/\s/u.test(ch)) clean += ' ';
    else if (CONTROL.test(ch)) continue;
    else if (CJK.test(ch)) clean += ` ${ch} `;
    else clean += ch;
  }
  if (lowerCase) clean = clean.toLowerCase().normalize('NFD').replace(MARK, '');
  const words: string[] = [];
  for (const chunk of clean.split(' ')) {
    let word = '';
    for (const ch of chunk) {
      if (PUNCTUATION.test(ch)) {
        if (word !== '') words.push(word);
        words.push(ch);
        word = '';
      } else {
        word += ch;
      }
    }
    if (word !== '') words.push(word);
  }
  return words;
}

/** A tokenizer over a vocab.txt (one piece per line, the line number is its id). */
export function createWordPieceTokenizer(vocabText: string, options: { lowerCase?: boolean } = {}): WordPieceTokenizer {
  const lowerCase = options.lowerCase ?? true;
  const pieces = vocabText.split(/\r?\n/);
  if (pieces[pieces.length - 1] === '') pieces.pop();
  const ids = new Map<string, number>();
  pieces.forEach((piece, id) => {
    if (!ids.has(piece)) ids.set(piece, id);
  });
  const required = (piece: string): number => {
    const id = ids.get(piece);
    if (id === undefined) throw new WordPieceVocabularyError(`the vocabulary has no ${piece} entry`);
    return id;
  };
  const unknownId = required('[UNK]');
  const classifyId = required('[CLS]');
  const separatorId = required('[SEP]');

  const cutWord = (word: string, out: number[]): void => {
    const chars = [...word];
    if (chars.length > MAX_WORD_CHARACTERS) {
      out.push(unknownId);
      return;
    }
    const cut: number[] = [];
    for (let start = 0; start < chars.length; ) {
      let end = chars.length;
      let found: number | undefined;
      while (end > start) {
        const piece = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        found = ids.get(piece);
        if (found !== undefined) break;
        end -= 1;
      }
      if (found === undefined) {
        out.push(unknownId);
        return;
      }
      cut.push(found);
      start = end;
    }
    out.push(...cut);
  };

  return {
    vocabularySize: pieces.length,
    classifyId,
    separatorId,
    encode(text) {
      const out: number[] = [];
      for (const word of basicWords(text, lowerCase)) cutWord(word, out);
      return out;
    },
    pieceOf(id) {
      return pieces[id];
    },
  };
}
