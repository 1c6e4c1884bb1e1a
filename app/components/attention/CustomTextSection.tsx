/**
 * "Try your own text" on a head page, readable without JavaScript: the form submits (GET) to the head page itself
 * with `?text=`, and this server component runs the head live (lib/live, with its length, queue and time limits and
 * the `live` rate limit) and renders the result in the attention viewer — or the reason it could not. With
 * JavaScript, CustomTextAttention intercepts the form and asks the attention API instead, without a page load.
 */
import { headers } from 'next/headers';
import { liveBudgetRefusal } from '@/lib/api/live-budget';
import { isLiveError } from '@/lib/live';
import { liveHeadAttention } from '@/lib/live/head-attention';
import { LIVE_LIMITS } from '@/lib/live/limits';
import { CustomTextAttention } from './CustomTextAttention';
import { viewerFromPattern, type ViewerData } from './viewer-model';

export interface CustomTextSectionProps {
  modelSlug: string;
  layer: number;
  head: number;
  label: string;
  /** The head page's own path (the no-JS form's action). */
  pagePath: string;
  /** `?text=` of the request, when the no-JS form was submitted. */
  text?: string;
  defaultText: string;
}

async function runLive(props: CustomTextSectionProps, text: string): Promise<{ result?: ViewerData; error?: string }> {
  if (text.trim() === '') return { error: 'text: must not be empty' };
  if (text.length > LIVE_LIMITS.maxChars) {
    return {
      error: `text too long: ${text.length} characters; the limit is ${LIVE_LIMITS.maxChars} characters and ${LIVE_LIMITS.maxTokens} tokens`,
    };
  }
  const refused = liveBudgetRefusal({ headers: await headers() });
  if (refused) return { error: refused };
  try {
    const live = await liveHeadAttention({ modelSlug: props.modelSlug, text, layer: props.layer, head: props.head });
    return { result: viewerFromPattern(live.tokens, live.heads[0].rows) };
  } catch (err) {
    if (isLiveError(err)) return { error: err.message };
    throw err;
  }
}

export async function CustomTextSection(props: CustomTextSectionProps) {
  const { text } = props;
  const initial = text === undefined ? undefined : { text, ...(await runLive(props, text)) };
  return (
    <CustomTextAttention
      modelSlug={props.modelSlug}
      layer={props.layer}
      head={props.head}
      label={props.label}
      maxTokens={LIVE_LIMITS.maxTokens}
      maxChars={LIVE_LIMITS.maxChars}
      defaultText={props.defaultText}
      formAction={`${props.pagePath}#try`}
      initial={initial}
    />
  );
}
