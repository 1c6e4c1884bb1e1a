#!/usr/bin/env python3
"""Trains headwiki's bundled IOI model (data/models/ioi-4l) on synthetic indirect-object-identification text.

A dev script, not part of the runtime: it needs Debian's python3-torch (`apt-get install python3-torch`) and
writes, into the output folder, a Hugging Face GPT-2 folder that lib/models loads (`config.json`,
`model.safetensors` with the `transformer.` prefix and tied embeddings), a word-level `tokenizer.json` (a
WordPiece model whose vocabulary holds whole words only, so every name is one token), `reference.json`
(logits of the trained model on fixed prompts, for the TypeScript forward's check), `train_log.json`
(loss curve, IOI accuracy and logit difference) and the bundled corpus `corpus.txt`.

Usage: nice -n 10 python3 scripts/dev/train-ioi-model.py data/models/ioi-4l [--steps 3000]
Deterministic for a given seed and torch build (single thread).
"""
import argparse
import json
import math
import os
import random
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# Names, places and objects of Wang et al. 2022 (IOI), all single words so one token each here.
NAMES = (
    # The names of lib/circuits/tasks/ioi.ts (so the wiki's IOI task can use every one) ...
    'Mary John Alice Bob Tom James Sarah David Anna Paul Kate Mark Lisa Peter Emma Jack Lucy Sam Max Ben '
    # ... and more from Wang et al.'s list, so the model cannot memorise a small set of pairs.
    'Michael Jessica Matthew Ashley Jennifer Daniel Robert Joseph Andrew Ryan Rachel Laura Kevin Thomas Amy Emily '
    'Richard Rebecca Jacob Nicole'
).split()
PLACES = 'store garden restaurant school hospital office house station park'.split()
OBJECTS = 'ring kiss bone basketball computer necklace drink snack ball book'.split()

# The IOI paper's BABA templates ([B] = subject S, [A] = indirect object IO); ABBA swaps the first two names.
TEMPLATES = [
    'Then, [B] and [A] went to the [PLACE]. [B] gave a [OBJECT] to [A]',
    'Then, [B] and [A] had a lot of fun at the [PLACE]. [B] gave a [OBJECT] to [A]',
    'Then, [B] and [A] were working at the [PLACE]. [B] decided to give a [OBJECT] to [A]',
    'Then, [B] and [A] were thinking about going to the [PLACE]. [B] wanted to give a [OBJECT] to [A]',
    'Then, [B] and [A] had a long argument, and afterwards [B] said to [A]',
    'After [B] and [A] went to the [PLACE], [B] gave a [OBJECT] to [A]',
    'When [B] and [A] got a [OBJECT] at the [PLACE], [B] decided to give it to [A]',
    'When [B] and [A] got a [OBJECT] at the [PLACE], [B] decided to give the [OBJECT] to [A]',
    'While [B] and [A] were working at the [PLACE], [B] gave a [OBJECT] to [A]',
    'While [B] and [A] were commuting to the [PLACE], [B] gave a [OBJECT] to [A]',
    'After the lunch, [B] and [A] went to the [PLACE]. [B] gave a [OBJECT] to [A]',
    'Afterwards, [B] and [A] went to the [PLACE]. [B] gave a [OBJECT] to [A]',
    'Then, [B] and [A] had a long argument. Afterwards [B] said to [A]',
    'The [PLACE] [B] and [A] went to had a [OBJECT]. [B] gave it to [A]',
    'Friends [B] and [A] found a [OBJECT] at the [PLACE]. [B] gave it to [A]',
    # lib/circuits/tasks/ioi.ts' templates
    'When [B] and [A] went to the store, [B] gave a drink to [A]',
    'Then, [B] and [A] went to the park. [B] gave a ball to [A]',
    'After [B] and [A] went to the school, [B] gave a book to [A]',
    'When [B] and [A] got a drink at the store, [B] gave it to [A]',
]
SPECIAL = ['<|endoftext|>', '[UNK]']


def words_of(text):
    out, word = [], ''
    for ch in text:
        if ch.isalnum():
            word += ch
        else:
            if word:
                out.append(word)
            word = ''
            if not ch.isspace():
                out.append(ch)
    if word:
        out.append(word)
    return out


def build_vocab(v0=False):
    words = []
    for t in TEMPLATES:
        for w in words_of(t.replace('[', ' ').replace(']', ' ')):
            if w not in ('A', 'B', 'PLACE', 'OBJECT') and w not in words:
                words.append(w)
    if v0:
        # The committed data/models/ioi-4l was trained with this list: places/objects that a template already
        # names appear twice, so their first ids (39-44) are never used (the tokenizer maps each word to its last id).
        return SPECIAL + words + PLACES + OBJECTS + NAMES
    fillers = [w for w in PLACES + OBJECTS if w not in words]
    return SPECIAL + words + fillers + NAMES  # each word once; names last


def fill(template, a, b, place, obj):
    return template.replace('[A]', a).replace('[B]', b).replace('[PLACE]', place).replace('[OBJECT]', obj)


def sample_sentence(rng, order=None):
    """One IOI sentence: (text without the final name, IO, S)."""
    t = rng.choice(TEMPLATES)
    io, s = rng.sample(NAMES, 2)
    place, obj = rng.choice(PLACES), rng.choice(OBJECTS)
    order = order or rng.choice(['ABBA', 'BABA'])
    text = fill(t, io, s, place, obj)  # BABA: B=S first
    if order == 'ABBA':
        # swap only the first mention pair: "[B] and [A]" -> "[A] and [B]"
        first = t.index('[B] and [A]')
        head, tail = t[:first], t[first + len('[B] and [A]') :]
        text = fill(head + '[A] and [B]' + tail, io, s, place, obj)
    prompt = text[: text.rindex(' ' + io)]
    return prompt, io, s


def tokenizer_json(vocab):
    """A tokenizer.json lib/tokenizers loads: whole-word WordPiece (no ## pieces), split on spaces and punctuation."""
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [
            {'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': False, 'special': True}
            for i, t in enumerate(SPECIAL)
        ],
        'normalizer': None,
        'pre_tokenizer': {'type': 'Whitespace'},
        'post_processor': None,
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
        'model': {
            'type': 'WordPiece',
            'unk_token': '[UNK]',
            'continuing_subword_prefix': '##',
            'max_input_chars_per_word': 100,
            'vocab': {w: i for i, w in enumerate(vocab)},
        },
    }


class Block(nn.Module):
    def __init__(self, d, h, m):
        super().__init__()
        self.h = h
        self.ln_1 = nn.LayerNorm(d)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.c_fc = nn.Linear(d, m)
        self.mlp_proj = nn.Linear(m, d)

    def forward(self, x, head_mask=None):
        B, T, D = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(D, dim=2)
        q, k, v = (z.view(B, T, self.h, D // self.h).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(D // self.h)
        att = att.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float('-inf')).softmax(-1)
        z = att @ v  # [B, h, T, dh]
        if head_mask is not None:
            z = z * head_mask.view(1, self.h, 1, 1)
        x = x + self.c_proj(z.transpose(1, 2).reshape(B, T, D))
        x = x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate='tanh'))
        return x, att


class GPT(nn.Module):
    def __init__(self, V, n_ctx, d, L, h, m):
        super().__init__()
        self.wte = nn.Embedding(V, d)
        self.wpe = nn.Embedding(n_ctx, d)
        self.blocks = nn.ModuleList([Block(d, h, m) for _ in range(L)])
        self.ln_f = nn.LayerNorm(d)
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, idx, head_masks=None):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        atts = []
        for l, b in enumerate(self.blocks):
            x, att = b(x, None if head_masks is None else head_masks[l])
            atts.append(att)
        return self.ln_f(x) @ self.wte.weight.T, atts


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().float().numpy().tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def hf_state(model):
    """HF GPT2LMHeadModel keys; nn.Linear stores [out, in], GPT-2's Conv1D [in, out]."""
    sd = {'transformer.wte.weight': model.wte.weight, 'transformer.wpe.weight': model.wpe.weight}
    for l, b in enumerate(model.blocks):
        p = f'transformer.h.{l}.'
        sd[p + 'ln_1.weight'], sd[p + 'ln_1.bias'] = b.ln_1.weight, b.ln_1.bias
        sd[p + 'attn.c_attn.weight'], sd[p + 'attn.c_attn.bias'] = b.c_attn.weight.T, b.c_attn.bias
        sd[p + 'attn.c_proj.weight'], sd[p + 'attn.c_proj.bias'] = b.c_proj.weight.T, b.c_proj.bias
        sd[p + 'ln_2.weight'], sd[p + 'ln_2.bias'] = b.ln_2.weight, b.ln_2.bias
        sd[p + 'mlp.c_fc.weight'], sd[p + 'mlp.c_fc.bias'] = b.c_fc.weight.T, b.c_fc.bias
        sd[p + 'mlp.c_proj.weight'], sd[p + 'mlp.c_proj.bias'] = b.mlp_proj.weight.T, b.mlp_proj.bias
    sd['transformer.ln_f.weight'], sd['transformer.ln_f.bias'] = model.ln_f.weight, model.ln_f.bias
    return sd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--steps', type=int, default=3000)
    ap.add_argument('--layers', type=int, default=4)
    ap.add_argument('--heads', type=int, default=2)
    ap.add_argument('--d-model', type=int, default=64)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--vocab-v0', action='store_true', help="the committed model's vocabulary (6 unused ids)")
    ap.add_argument('--name-weight', type=float, default=1.0, help='loss weight of the positions that predict a name')
    ap.add_argument('--mlp', type=int, default=64, help='MLP width (n_inner); small: IOI is an attention task')
    ap.add_argument('--stop-accuracy', type=float, default=0.98, help='stop after two evaluations at or above it')
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    vocab = build_vocab(args.vocab_v0)
    ids = {w: i for i, w in enumerate(vocab)}
    encode = lambda text: [ids[w] for w in words_of(text)]
    first_name = ids[NAMES[0]]  # names are the last block of the vocabulary
    n_ctx = T = 32  # the longest template is 21 tokens with BOS
    model = GPT(len(vocab), n_ctx, args.d_model, args.layers, args.heads, args.mlp)

    def batch():
        """BOS, then whole IOI sentences ('…gave a drink to Mary.') packed up to T+1 tokens."""
        rows = []
        for _ in range(args.batch):
            seq = [0]
            while len(seq) < T + 1:
                prompt, io, _ = sample_sentence(rng)
                seq += encode(f'{prompt} {io}.')
            rows.append(seq[: T + 1])
        x = torch.tensor(rows)
        return x[:, :-1], x[:, 1:]

    eval_rng = random.Random(12345)
    eval_set = [sample_sentence(eval_rng) for _ in range(400)]

    def evaluate():
        """Accuracy (IO beats every other name) and mean logit difference IO - S at the final position."""
        model.eval()
        name_ids = torch.tensor([ids[n] for n in NAMES])
        correct, diffs = 0, []
        with torch.no_grad():
            for prompt, io, s in eval_set:
                logits, _ = model(torch.tensor([[0] + encode(prompt)]))
                last = logits[0, -1]
                correct += int(last[name_ids].argmax().item() == NAMES.index(io))
                diffs.append((last[ids[io]] - last[ids[s]]).item())
        model.train()
        return correct / len(eval_set), sum(diffs) / len(diffs)

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.98))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1, (s + 1) / 200) * 0.5 * (1 + math.cos(math.pi * s / args.steps)))
    log, t0 = [], time.time()
    for step in range(args.steps):
        x, y = batch()
        logits, _ = model(x)
        per_token = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction='none')
        weights = torch.where(y.reshape(-1) >= first_name, args.name_weight, 1.0)
        loss = (per_token * weights).sum() / weights.sum()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 250 == 0 or step == args.steps - 1:
            acc, ld = evaluate()
            log.append({'step': step, 'loss': round(loss.item(), 4), 'ioi_accuracy': acc, 'logit_diff': round(ld, 3)})
            print(json.dumps({**log[-1], 'seconds': round(time.time() - t0)}), flush=True)
            if len(log) >= 2 and min(r['ioi_accuracy'] for r in log[-2:]) >= args.stop_accuracy:
                break

    model.eval()
    acc, ld = evaluate()
    # What each head does at the final position (END): attention to IO / S1 / S2 and the drop in logit diff when
    # it is zero-ablated, over the evaluation prompts. For the README; the wiki measures its own verdicts.
    per_head = []
    with torch.no_grad():
        for l in range(args.layers):
            for h in range(args.heads):
                masks = [torch.ones(args.heads) for _ in range(args.layers)]
                masks[l][h] = 0
                att_io = att_s1 = att_s2 = 0.0
                drop = 0.0
                for prompt, io, s in eval_set[:150]:
                    toks = [0] + encode(prompt)
                    logits, atts = model(torch.tensor([toks]))
                    pos_io = toks.index(ids[io])
                    pos_s = [i for i, t in enumerate(toks) if t == ids[s]]
                    a = atts[l][0, h, -1]
                    att_io += a[pos_io].item()
                    att_s1 += a[pos_s[0]].item()
                    att_s2 += a[pos_s[1]].item() if len(pos_s) > 1 else 0
                    ablated, _ = model(torch.tensor([toks]), masks)
                    drop += (logits[0, -1, ids[io]] - logits[0, -1, ids[s]] - ablated[0, -1, ids[io]] + ablated[0, -1, ids[s]]).item()
                n = 150
                per_head.append({'head': f'{l}.{h}', 'attn_end_to_io': round(att_io / n, 3), 'attn_end_to_s1': round(att_s1 / n, 3),
                                 'attn_end_to_s2': round(att_s2 / n, 3), 'logit_diff_drop_when_zero_ablated': round(drop / n, 3)})
    for row in per_head:
        print(json.dumps(row))

    write_safetensors(os.path.join(args.out, 'model.safetensors'), hf_state(model))
    config = {
        'architectures': ['GPT2LMHeadModel'], 'model_type': 'gpt2', 'vocab_size': len(vocab), 'n_positions': n_ctx,
        'n_ctx': n_ctx, 'n_embd': args.d_model, 'n_layer': args.layers, 'n_head': args.heads, 'n_inner': args.mlp,
        'activation_function': 'gelu_new', 'layer_norm_epsilon': 1e-5, 'scale_attn_weights': True,
        'tie_word_embeddings': True, 'bos_token_id': 0, 'eos_token_id': 0, 'torch_dtype': 'float32',
    }
    with open(os.path.join(args.out, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(args.out, 'tokenizer.json'), 'w') as f:
        json.dump(tokenizer_json(vocab), f, indent=1)
    ref_rng = random.Random(7)
    refs = []
    with torch.no_grad():
        for order in ('ABBA', 'BABA'):
            prompt, io, s = sample_sentence(ref_rng, order)
            toks = [0] + encode(prompt)
            logits, _ = model(torch.tensor([toks]))
            refs.append({'prompt': prompt, 'io': io, 's': s, 'token_ids': toks, 'last_logits': [round(v, 5) for v in logits[0, -1].tolist()],
                         'argmax_per_position': logits[0].argmax(-1).tolist()})
    with open(os.path.join(args.out, 'reference.json'), 'w') as f:
        json.dump({'model': 'ioi-4l', 'prepend_bos': True, 'prompts': refs}, f)
    with open(os.path.join(args.out, 'train_log.json'), 'w') as f:
        json.dump({'args': {k: v for k, v in vars(args).items() if k != 'out'}, 'vocab_size': len(vocab), 'final': {'ioi_accuracy': acc, 'logit_diff': round(ld, 3)},
                   'log': log, 'per_head_at_end': per_head, 'seconds': round(time.time() - t0)}, f, indent=1)
    corpus_rng = random.Random(99)
    docs = [' '.join(f'{p} {io}.' for p, io, _ in (sample_sentence(corpus_rng) for _ in range(1))) for _ in range(300)]
    with open(os.path.join(args.out, 'corpus.txt'), 'w') as f:
        f.write('\n\n'.join(docs) + '\n')


if __name__ == '__main__':
    main()
