import { DefaultAzureCredential } from '@azure/identity';
import * as speech from 'microsoft-cognitiveservices-speech-sdk';

/**
 * Where Azure AI Speech is: an endpoint with a key (the local one) or without (Microsoft Entra ID:
 * the AI Services account's custom domain, `https://<name>.cognitiveservices.azure.com/`, which the
 * deployment makes with keys turned off), or a region and a key.
 */
export type SpeechServiceSettings =
  | { readonly endpoint: string; readonly key?: string }
  | { readonly region: string; readonly key: string };

/** One prompt spoken to audio, or why the service refused it (an unknown voice, SSML it cannot read). */
export type SynthesisOutcome =
  | { readonly ok: true; readonly wav: Uint8Array; readonly durationInMs: number }
  | { readonly ok: false; readonly error: string };

/**
 * Speaks SSML with Azure AI Speech through the Speech SDK, as WAV files Call Automation can play:
 * mono 16-bit PCM at 16 kHz (Call Automation's requirement for file sources).
 */
export class SpeechPromptSynthesizer {
  private readonly synthesizer: speech.SpeechSynthesizer;

  constructor(settings: SpeechServiceSettings) {
    const config =
      'region' in settings
        ? speech.SpeechConfig.fromSubscription(settings.key, settings.region)
        : settings.key === undefined
          ? speech.SpeechConfig.fromEndpoint(new URL(settings.endpoint), new DefaultAzureCredential())
          : speech.SpeechConfig.fromEndpoint(new URL(settings.endpoint), settings.key);
    config.speechSynthesisOutputFormat = speech.SpeechSynthesisOutputFormat.Riff16Khz16BitMonoPcm;
    // No audio device: the audio comes back in the result.
    this.synthesizer = new speech.SpeechSynthesizer(config, null as unknown as speech.AudioConfig);
  }

  synthesize(ssml: string): Promise<SynthesisOutcome> {
    return new Promise((resolve) => {
      this.synthesizer.speakSsmlAsync(
        ssml,
        (result) => {
          if (result.reason === speech.ResultReason.SynthesizingAudioCompleted) {
            resolve({ ok: true, wav: new Uint8Array(result.audioData), durationInMs: Math.round(result.audioDuration / 10_000) });
          } else {
            resolve({ ok: false, error: speech.CancellationDetails.fromResult(result).errorDetails || speech.ResultReason[result.reason] });
          }
        },
        (error) => resolve({ ok: false, error: String(error) }),
      );
    });
  }

  close(): void {
    this.synthesizer.close();
  }
}
