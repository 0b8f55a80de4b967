"""Seeding and the training loop both demo decoders use: AdamW over random windows of the token stream."""
import argparse
import math
import pathlib
import random
import time

import numpy as np
import torch
import torch.nn.functional as F


def start(default_out, default_steps, threads=2):
    """Reads --out, --steps and --vocab-size, creates the output folder, then seeds Python, NumPy and torch with 0
    and fixes the thread count, so that a rerun on the same torch build is identical."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(default_out))
    parser.add_argument("--steps", type=int, default=default_steps)
    parser.add_argument("--vocab-size", type=int, default=1024)
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    return args, out


def train(model, data, steps, n_positions, block=64, batch=16, lr=3e-3, warmup=50, weight_decay=0.01):
    """Trains model(input_ids, attention_mask, position_ids, *empty_past) -> (logits, ...) on next-token loss.

    Windows start at random places of the corpus and at random positions up to n_positions, so every position
    the model can be asked about has been seen (absolute position embeddings need it; rotary ones don't mind).
    Learning rate: linear warm-up, then cosine decay to zero.
    """
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    empty = [t for kv in model.empty_past(batch) for t in kv]
    gen = torch.Generator().manual_seed(0)
    t0 = time.time()
    model.train()
    for step in range(steps):
        step_lr = lr * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * step / steps))
        for group in optimizer.param_groups:
            group["lr"] = step_lr
        starts = torch.randint(0, len(data) - block - 1, (batch,), generator=gen)
        x = torch.stack([data[s:s + block] for s in starts])
        y = torch.stack([data[s + 1:s + block + 1] for s in starts])
        offsets = torch.randint(0, n_positions - block + 1, (batch, 1), generator=gen)
        pos = offsets + torch.arange(block)[None, :]
        logits = model(x, torch.ones_like(x), pos, *empty)[0]
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 50 == 0 or step == steps - 1:
            print(f"step {step:4d} loss {loss.item():.3f} ({time.time() - t0:.0f}s)", flush=True)
    model.eval()
    return loss.item()
