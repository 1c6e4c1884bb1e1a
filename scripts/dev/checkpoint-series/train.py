"""Trains a tiny Llama (llama2.c layout) for a few hundred steps and saves checkpoints along the way.

Dev script only: headwiki's runtime, tests and CI never train. It makes the checkpoint series bundled in
data/models/tiny-induction-series/ (see the README there), whose series page shows what formed over training.

  npx tsx scripts/dev/checkpoint-series/tokenize-corpus.ts data/corpora/tinystories-sample.txt tokens.u16
  nice -n 10 python3 scripts/dev/checkpoint-series/train.py tokens.u16 OUT_DIR [--save 50,150,...]

Model: 2 layers, d_model 64, 4 heads of 16, SwiGLU MLP of 128, vocab 512 (the bundled tok512), context 128,
classifier shared with the embedding. Half of each batch is TinyStories text, half random token sequences
repeated twice. The repeat period is always 64, which a fixed-offset positional head solves: the bundled checkpoints
learned that shortcut, not induction (see data/models/tiny-induction-series/README.md); random periods would be needed.
Each checkpoint is a llama2.c export-version-0 `.bin` (what lib/models/llama2c.ts reads).
"""
import argparse
import math
import struct
import sys
import time

import torch
import torch.nn.functional as F

DIM, HIDDEN, LAYERS, HEADS, VOCAB, CTX = 64, 128, 2, 4, 512, 128
HEAD = DIM // HEADS
BOS = 1


def rope_tables():
    freqs = 1.0 / (10000.0 ** (torch.arange(0, HEAD, 2).float() / HEAD))
    angles = torch.outer(torch.arange(CTX).float(), freqs)  # [CTX, HEAD/2]
    return torch.cos(angles), torch.sin(angles)


def rotate(x, cos, sin):
    # llama2.c rotates interleaved pairs (2i, 2i+1).
    t = x.shape[1]
    x = x.view(*x.shape[:-1], HEAD // 2, 2)
    a, b = x[..., 0], x[..., 1]
    c, s = cos[:t, None, :], sin[:t, None, :]
    return torch.stack([a * c - b * s, a * s + b * c], dim=-1).flatten(-2)


def rms(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * w


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        p = lambda *shape, std=0.02: torch.nn.Parameter(torch.randn(*shape) * std)
        self.emb = p(VOCAB, DIM)
        self.rms_att = torch.nn.Parameter(torch.ones(LAYERS, DIM))
        self.rms_ffn = torch.nn.Parameter(torch.ones(LAYERS, DIM))
        self.wq, self.wk, self.wv = p(LAYERS, DIM, DIM), p(LAYERS, DIM, DIM), p(LAYERS, DIM, DIM)
        self.wo = p(LAYERS, DIM, DIM, std=0.02 / math.sqrt(2 * LAYERS))
        self.w1, self.w3 = p(LAYERS, HIDDEN, DIM), p(LAYERS, HIDDEN, DIM)
        self.w2 = p(LAYERS, DIM, HIDDEN, std=0.02 / math.sqrt(2 * LAYERS))
        self.rms_final = torch.nn.Parameter(torch.ones(DIM))
        self.cos, self.sin = rope_tables()

    def forward(self, ids):
        b, t = ids.shape
        x = self.emb[ids]
        mask = torch.full((t, t), float('-inf')).triu(1)
        for l in range(LAYERS):
            h = rms(x, self.rms_att[l])
            q = rotate((h @ self.wq[l].T).view(b, t, HEADS, HEAD), self.cos, self.sin)
            k = rotate((h @ self.wk[l].T).view(b, t, HEADS, HEAD), self.cos, self.sin)
            v = (h @ self.wv[l].T).view(b, t, HEADS, HEAD)
            scores = torch.einsum('bqhd,bkhd->bhqk', q, k) / math.sqrt(HEAD) + mask
            z = torch.einsum('bhqk,bkhd->bqhd', scores.softmax(-1), v).reshape(b, t, DIM)
            x = x + z @ self.wo[l].T
            h = rms(x, self.rms_ffn[l])
            x = x + (F.silu(h @ self.w1[l].T) * (h @ self.w3[l].T)) @ self.w2[l].T
        return rms(x, self.rms_final) @ self.emb.T

    def export(self, path):
        """llama2.c export version 0 (legacy): header, then float32 tensors as lib/models/llama2c.ts lists them."""
        with open(path, 'wb') as f:
            f.write(struct.pack('7i', DIM, HIDDEN, LAYERS, HEADS, HEADS, VOCAB, CTX))
            for t in [self.emb, self.rms_att, self.wq, self.wk, self.wv, self.wo, self.rms_ffn, self.w1, self.w2, self.w3,
                      self.rms_final, self.cos, self.sin]:
                f.write(t.detach().float().contiguous().numpy().tobytes())


def batches(tokens, gen, batch):
    half = batch // 2
    starts = torch.randint(0, len(tokens) - CTX, (half,), generator=gen)
    text = torch.stack([tokens[s:s + CTX] for s in starts])
    seg = CTX // 2
    rand = torch.randint(3, VOCAB, (batch - half, seg), generator=gen)
    rep = torch.cat([torch.full((batch - half, 1), BOS), rand, rand], dim=1)[:, :CTX]
    return torch.cat([text, rep]).long()


@torch.no_grad()
def induction_loss(model, gen):
    """Loss on the second copy of repeated random tokens: ~ln(509) without induction, near 0 with it."""
    seg = CTX // 2
    rand = torch.randint(3, VOCAB, (16, seg), generator=gen)
    ids = torch.cat([torch.full((16, 1), BOS), rand, rand], dim=1)[:, :CTX]
    logits = model(ids[:, :-1])
    return F.cross_entropy(logits[:, seg:].reshape(-1, VOCAB), ids[:, seg + 1:].reshape(-1)).item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('tokens')
    ap.add_argument('out_dir')
    ap.add_argument('--steps', type=int, default=600)
    ap.add_argument('--save', default='50,100,150,200,250,300,350,400,500,600')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--seed', type=int, default=17)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    eval_gen_seed = args.seed + 1
    raw = open(args.tokens, 'rb').read()
    tokens = torch.tensor(struct.unpack(f'<{len(raw) // 2}H', raw), dtype=torch.long)
    split = int(len(tokens) * 0.9)
    train, held = tokens[:split], tokens[split:]
    model = Tiny()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01, betas=(0.9, 0.95))
    saves = {int(s) for s in args.save.split(',')}
    t0 = time.time()
    for step in range(1, args.steps + 1):
        lr = 3e-3 * min(1.0, step / 30)
        for g in opt.param_groups:
            g['lr'] = lr
        ids = batches(train, gen, args.batch)
        loss = F.cross_entropy(model(ids[:, :-1]).reshape(-1, VOCAB), ids[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step in saves or step % 50 == 0:
            with torch.no_grad():
                hs = torch.stack([held[s:s + CTX] for s in range(0, len(held) - CTX, CTX)][:32]).long()
                held_loss = F.cross_entropy(model(hs[:, :-1]).reshape(-1, VOCAB), hs[:, 1:].reshape(-1)).item()
            ind = induction_loss(model, torch.Generator().manual_seed(eval_gen_seed))
            print(f'step {step}: train {loss.item():.3f} held-out text {held_loss:.3f} repeated-half {ind:.3f} ({time.time() - t0:.0f} s)',
                  flush=True)
        if step in saves:
            model.export(f'{args.out_dir}/tiny-induction-step{step:04d}.bin')


if __name__ == '__main__':
    sys.exit(main())
