import type { MenuWords } from '../call-flow/assistant-flow.js';

export const menuWordKeys = ['yes', 'no', 'person', 'callback', 'message', 'wait', 'first', 'second', 'repeat', 'startOver'] as const;
export type MenuWordKey = (typeof menuWordKeys)[number];
/** Lists a language may do without: the menus that use them also take keys. */
const optionalKeys: ReadonlySet<MenuWordKey> = new Set(['first', 'second', 'repeat', 'startOver']);

/**
 * Words callers say to answer the assistant's own menus (yes / no, a person, a callback, a
 * message, waiting), for the languages that have them built in, by primary language subtag. A
 * language without built-in words names them in the config (`languages[].menuWords`).
 */
const builtInMenuWords: Readonly<Record<string, MenuWords>> = {
  en: {
    yes: ['yes', 'yeah', 'yep', 'correct', 'right', "that's right", 'sure', 'yes please'],
    no: ['no', 'nope', 'not really', 'nothing', "that's all", 'that is all', 'no thanks', 'no thank you', 'wrong', "that's wrong"],
    person: ['a person', 'agent', 'operator', 'representative', 'someone'],
    callback: ['call me back', 'callback'],
    message: ['message', 'leave a message', 'voicemail'],
    wait: ['wait', "i'll wait", 'stay'],
    first: ['the first', 'first', 'first one', 'number one', 'option one', 'the former'],
    second: ['the second', 'second', 'second one', 'number two', 'option two', 'the latter'],
    repeat: [
      'repeat', 'repeat that', 'repeat it', 'can you repeat that', 'could you repeat that', 'say that again', 'say it again',
      'come again', 'pardon', 'what did you say', 'one more time', "i didn't hear that", "i didn't catch that", 'what',
      // Menus match whole phrases: the polite forms callers use most.
      'repeat please', 'repeat that please', 'can you repeat that please', 'say that again please', 'sorry what', 'sorry',
    ],
    startOver: ['start over', 'start again', 'main menu', 'back to the main menu', 'go back to the start', 'something else', 'never mind'],
  },
  es: {
    yes: ['sí', 'claro', 'correcto', 'eso es', 'sí por favor'],
    no: ['no', 'nada', 'nada más', 'eso es todo', 'no gracias', 'incorrecto'],
    person: ['una persona', 'agente', 'operador', 'representante', 'alguien'],
    callback: ['llámenme', 'que me llamen', 'devuélvanme la llamada'],
    message: ['mensaje', 'dejar un mensaje', 'buzón de voz'],
    wait: ['espero', 'esperar', 'prefiero esperar'],
    first: ['la primera', 'el primero', 'primera', 'primero', 'la opción uno', 'opción uno'],
    second: ['la segunda', 'el segundo', 'segunda', 'segundo', 'la opción dos', 'opción dos'],
    repeat: [
      'repite', 'repítelo', 'repita', 'repítalo', 'puede repetir', 'puede repetirlo', 'otra vez', 'cómo dice', 'qué ha dicho', 'no le he oído', 'qué', 'cómo',
      'repita por favor', 'puede repetir por favor', 'perdón',
    ],
    startOver: ['empezar de nuevo', 'volver a empezar', 'menú principal', 'volver al principio', 'otra cosa', 'da igual'],
  },
};

/**
 * A language's menu words: the config's, each list falling back to the built-in one for the
 * language. `missing` names the lists that neither gives.
 */
export function resolveMenuWords(
  languageCode: string,
  configured: Partial<Record<MenuWordKey, readonly string[]>> | undefined,
): { readonly words: MenuWords; readonly missing: readonly MenuWordKey[] } {
  const builtIn = builtInMenuWords[languageCode.split('-')[0]?.toLowerCase() ?? ''];
  const missing: MenuWordKey[] = [];
  const pick = (key: MenuWordKey): readonly string[] => {
    const words = configured?.[key] ?? builtIn?.[key];
    if (!words && !optionalKeys.has(key)) missing.push(key);
    return words ?? [];
  };
  const words: MenuWords = {
    yes: pick('yes'),
    no: pick('no'),
    person: pick('person'),
    callback: pick('callback'),
    message: pick('message'),
    wait: pick('wait'),
    first: pick('first'),
    second: pick('second'),
    repeat: pick('repeat'),
    startOver: pick('startOver'),
  };
  return { words, missing };
}

/** Languages with built-in menu words (primary subtags). */
export const languagesWithBuiltInMenuWords: readonly string[] = Object.keys(builtInMenuWords);
