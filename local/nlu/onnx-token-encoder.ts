import type { TokenEncoder } from './distill-word-vectors.js';

/** The few parts of onnxruntime-node's API that are used (it is an optional tool, not a dependency). */
interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
interface OrtModule {
  readonly Tensor: new (type: 'int64', data: BigInt64Array, dims: readonly number[]) => OrtTensor;
  readonly InferenceSession: { create(path: string, options: { intraOpNumThreads: number; interOpNumThreads: number }): Promise<OrtSession> };
}

export class OnnxRuntimeMissingError extends Error {
  override readonly name = 'OnnxRuntimeMissingError';
}

/**
 * A BERT-style ONNX model (inputs input_ids, attention_mask and, if it has it, token_type_ids;
 * output last_hidden_state) run by onnxruntime-node, imported from `runtime` (a package name or
 * a path to its entry file) only when this is called.
 */
export async function createOnnxTokenEncoder(modelPath: string, options: { runtime?: string; threads?: number } = {}): Promise<TokenEncoder> {
  const runtime = options.runtime ?? 'onnxruntime-node';
  let ort: OrtModule;
  try {
    const loaded = (await import(runtime)) as OrtModule & { default?: OrtModule };
    ort = loaded.InferenceSession === undefined && loaded.default !== undefined ? loaded.default : loaded;
  } catch (error) {
    throw new OnnxRuntimeMissingError(`cannot load ${runtime} (${(error as Error).message}); install it with \`npm i --no-save onnxruntime-node\``);
  }
  const threads = options.threads ?? 2;
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const output = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : (session.outputNames[0] as string);
  return {
    async encode(sequences) {
      const length = sequences[0]?.length ?? 0;
      const dims = [sequences.length, length];
      const ids = new BigInt64Array(sequences.length * length);
      sequences.forEach((s, b) => s.forEach((id, p) => (ids[b * length + p] = BigInt(id))));
      const feeds: Record<string, OrtTensor> = {
        input_ids: new ort.Tensor('int64', ids, dims),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
        token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.length), dims),
      };
      for (const name of Object.keys(feeds)) if (!session.inputNames.includes(name)) delete feeds[name];
      const result = (await session.run(feeds))[output];
      if (result === undefined || !(result.data instanceof Float32Array)) throw new Error(`${modelPath}: no float output ${output}`);
      return { hidden: result.data, hiddenSize: result.dims[2] as number };
    },
  };
}
