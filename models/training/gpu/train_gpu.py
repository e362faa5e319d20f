#!/usr/bin/env python3
"""Continue training a c2f checkpoint on a CUDA GPU with PyTorch.

The Java trainer (io.c2f.models.training.Trainer, DJL on CPU) is the reference; this script is the
same training on a GPU, for when one is at hand: the same UNet (UnetConfig read from the checkpoint's
state.json, diffusers parameter names), the same objective (epsilon prediction, T = 1000 linear betas,
one batch at 32x32 with resolution label 0 plus one at 16x16 (2x2 average pool) with label 1,
loss = mse_32 + w * mse_16), Adam with warmup, global-norm clipping, EMA with decay
min(d, (1+s)/(10+s)), random horizontal flips. It reads and writes the Java checkpoint layout
(weights.safetensors, ema.safetensors, state.json; no Adam moments), so ExportMain, ModelQuality and
TrainMain --resume take its output unchanged. Random draws come from torch, not from the Java
trainer's (seed, step) generator: a GPU run is not bit-identical to a CPU run.

Two checks tie it to DjlUnet:
  --probe-in FILE   a ForwardProbe --write file made from the checkpoint we start from: our forward
                    (fp32, TF32 off) must match DjlUnet's within --probe-tolerance, or nothing trains.
  OUT/probe.safetensors  the same probe made from the checkpoint we write, for
                    ForwardProbe --check (run by the Java side after the run).

Usage:
  python3 train_gpu.py --checkpoint DIR --data train-32x32.c2fd --manifest manifest.json \
      --out DIR --seconds 480 [--batch 512] [--lr 4e-4] [--warmup 500] [--ema-decay 0.9995]
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

C2FD_MAGIC = 0x44463243


def read_c2fd(path):
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 28:
        raise SystemExit(f"{path}: {len(raw)} bytes, shorter than the 28-byte c2fd header")
    magic, version, dtype, n, h, w, c = struct.unpack("<7i", raw[:28])
    if magic != C2FD_MAGIC or version != 1:
        raise SystemExit(f"{path}: not a c2fd v1 file (magic 0x{magic:08X}, version {version})")
    count = n * h * w * c
    if dtype == 1:
        arr = np.frombuffer(raw, np.uint8, count, 28).astype(np.float32) / np.float32(127.5) - np.float32(1)
    elif dtype == 2:
        arr = np.frombuffer(raw, "<f4", count, 28)
    else:
        raise SystemExit(f"{path}: unknown dtype code {dtype}")
    return torch.from_numpy(arr.reshape(n, h, w, c).copy()).permute(0, 3, 1, 2).contiguous()


class ResnetBlock(nn.Module):
    def __init__(self, cin, cout, temb, groups, eps):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, emb_silu):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(emb_silu)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (self.conv_shortcut(x) if self.conv_shortcut is not None else x) + h


class Attention(nn.Module):
    """diffusers Attention with one head over all channels, residual inside."""

    def __init__(self, c, groups, eps):
        super().__init__()
        self.group_norm = nn.GroupNorm(groups, c, eps)
        self.to_q = nn.Linear(c, c)
        self.to_k = nn.Linear(c, c)
        self.to_v = nn.Linear(c, c)
        self.to_out = nn.ModuleList([nn.Linear(c, c)])

    def forward(self, x):
        n, c, h, w = x.shape
        tokens = self.group_norm(x).reshape(n, c, h * w).transpose(1, 2)
        q, k, v = self.to_q(tokens), self.to_k(tokens), self.to_v(tokens)
        a = F.scaled_dot_product_attention(q, k, v)  # softmax(q k^T / sqrt(c)) v
        return self.to_out[0](a).transpose(1, 2).reshape(n, c, h, w) + x


class Sampler(nn.Module):
    """Holds .conv as diffusers names it: 3x3 stride 2 after a right/bottom pad (down), 3x3 after nearest 2x (up)."""

    def __init__(self, c, down):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, stride=2, padding=0) if down else nn.Conv2d(c, c, 3, padding=1)


class Level(nn.Module):
    pass


class Unet(nn.Module):
    """UnetConfig / DjlUnet, parameter names as UnetConfig.parameterShapes()."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        mult = cfg["channelMultipliers"]
        base = cfg["baseChannels"]
        g, eps, temb, r = cfg["groups"], cfg["normEps"], cfg["timeEmbedDim"], cfg["resBlocksPerLevel"]
        att = set(cfg["attentionLevels"])
        levels = len(mult)
        ch = [base * m for m in mult]
        self.levels, self.ch, self.att, self.r = levels, ch, att, r
        self.conv_in = nn.Conv2d(cfg["inChannels"], ch[0], 3, padding=1)
        self.time_embedding = nn.Module()
        self.time_embedding.linear_1 = nn.Linear(ch[0], temb)
        self.time_embedding.linear_2 = nn.Linear(temb, temb)
        self.class_embedding = nn.Embedding(cfg["numResolutionLabels"], temb)
        self.down_blocks = nn.ModuleList()
        prev = ch[0]
        for i in range(levels):
            blk = Level()
            blk.resnets = nn.ModuleList([ResnetBlock(prev if j == 0 else ch[i], ch[i], temb, g, eps) for j in range(r)])
            if i in att:
                blk.attentions = nn.ModuleList([Attention(ch[i], g, eps) for _ in range(r)])
            if i < levels - 1:
                blk.downsamplers = nn.ModuleList([Sampler(ch[i], True)])
            self.down_blocks.append(blk)
            prev = ch[i]
        self.mid_block = Level()
        self.mid_block.resnets = nn.ModuleList([ResnetBlock(ch[-1], ch[-1], temb, g, eps) for _ in range(2)])
        self.mid_block.attentions = nn.ModuleList([Attention(ch[-1], g, eps)])
        self.up_blocks = nn.ModuleList()
        out = ch[-1]
        for i in range(levels):
            prev_out = out
            out = ch[levels - 1 - i]
            cin = ch[max(levels - 2 - i, 0)]
            blk = Level()
            rs = []
            for j in range(r + 1):
                skip = cin if j == r else out
                res_in = prev_out if j == 0 else out
                rs.append(ResnetBlock(res_in + skip, out, temb, g, eps))
            blk.resnets = nn.ModuleList(rs)
            if (levels - 1 - i) in att:
                blk.attentions = nn.ModuleList([Attention(out, g, eps) for _ in range(r + 1)])
            if i < levels - 1:
                blk.upsamplers = nn.ModuleList([Sampler(out, False)])
            self.up_blocks.append(blk)
        self.conv_norm_out = nn.GroupNorm(g, ch[0], eps)
        self.conv_out = nn.Conv2d(ch[0], cfg["inChannels"], 3, padding=1)
        half = ch[0] // 2
        # RefOps.timestepEmbedding: freq_i = exp(-ln(10000) i / (half - 1)), [sin, cos]
        freqs = torch.tensor([math.exp(-math.log(10000.0) * i / (half - 1.0)) for i in range(half)], dtype=torch.float32)
        self.register_buffer("freqs", freqs, persistent=False)

    def forward(self, x, t, label):
        arg = t.float()[:, None] * self.freqs[None]
        temb = torch.cat([torch.sin(arg), torch.cos(arg)], dim=1)
        emb = self.time_embedding.linear_2(F.silu(self.time_embedding.linear_1(temb)))
        emb = emb + self.class_embedding.weight[label][None]
        es = F.silu(emb)
        h = self.conv_in(x)
        skips = [h]
        for i, blk in enumerate(self.down_blocks):
            for j in range(self.r):
                h = blk.resnets[j](h, es)
                if i in self.att:
                    h = blk.attentions[j](h)
                skips.append(h)
            if i < self.levels - 1:
                h = blk.downsamplers[0].conv(F.pad(h, (0, 1, 0, 1)))
                skips.append(h)
        h = self.mid_block.resnets[1](self.mid_block.attentions[0](self.mid_block.resnets[0](h, es)), es)
        for i, blk in enumerate(self.up_blocks):
            for j in range(self.r + 1):
                h = blk.resnets[j](torch.cat([h, skips.pop()], dim=1), es)
                if (self.levels - 1 - i) in self.att:
                    h = blk.attentions[j](h)
            if i < self.levels - 1:
                h = blk.upsamplers[0].conv(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return self.conv_out(F.silu(self.conv_norm_out(h)))


# --- checkpoints in the Java layout ---

def load_weights(path, model):
    sd = load_file(path)
    own = model.state_dict()
    missing = sorted(set(own) - set(sd))
    extra = sorted(set(sd) - set(own))
    if missing or extra:
        raise SystemExit(f"{path}: parameter names differ from the UNet: missing {missing[:5]}, unexpected {extra[:5]}")
    for k, v in sd.items():
        if tuple(v.shape) != tuple(own[k].shape):
            raise SystemExit(f"{path}: {k} has shape {tuple(v.shape)}, the UNet needs {tuple(own[k].shape)}")
    model.load_state_dict(sd)


def state_dict_f32(model):
    return {k: v.detach().float().contiguous().cpu() for k, v in model.state_dict().items()}


def save_checkpoint(out, model, ema, state):
    tmp = out + ".tmp"
    os.makedirs(tmp, exist_ok=True)
    save_file(state_dict_f32(model), os.path.join(tmp, "weights.safetensors"), metadata={"format": "pt"})
    save_file(state_dict_f32(ema), os.path.join(tmp, "ema.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(tmp, "state.json"), "w") as f:
        json.dump(state, f, indent=2)
    os.makedirs(out, exist_ok=True)
    for name in ("weights.safetensors", "ema.safetensors", "state.json"):
        os.replace(os.path.join(tmp, name), os.path.join(out, name))
    os.rmdir(tmp)


@torch.no_grad()
def probe(model, x_full, x_low, t, device):
    prev = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        model.eval()
        ef = model(x_full.to(device), t.to(device), 0).float().cpu()
        el = model(x_low.to(device), t.to(device), 1).float().cpu()
        model.train()
        return ef, el
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = prev


@torch.no_grad()
def ddim_grid(model, alpha_bar, device, n=64, steps=50, seed=0):
    g = torch.Generator(device="cpu").manual_seed(seed)
    x = torch.randn(n, 3, 32, 32, generator=g).to(device)
    ts = np.linspace(0, len(alpha_bar) - 1, steps).round().astype(int)[::-1]
    for k, ti in enumerate(ts):
        a = alpha_bar[ti]
        a_prev = alpha_bar[ts[k + 1]] if k + 1 < len(ts) else torch.tensor(1.0, device=device)
        eps = model(x, torch.full((n,), float(ti), device=device), 0).float()
        x0 = (x - (1 - a).sqrt() * eps) / a.sqrt()  # unclipped, as the runtime samples
        x = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
    img = ((x.clamp(-1, 1) + 1) * 127.5).round().byte().cpu()  # N,3,32,32
    side = int(math.sqrt(n))
    grid = torch.full((3, side * 34 + 2, side * 34 + 2), 255, dtype=torch.uint8)
    for i in range(n):
        r, c = divmod(i, side)
        grid[:, 2 + r * 34:2 + r * 34 + 32, 2 + c * 34:2 + c * 34 + 32] = img[i]
    return grid.permute(1, 2, 0).numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True, help="Java checkpoint directory (state.json, weights, ema)")
    ap.add_argument("--data", required=True, help="PrepareData's train-32x32.c2fd")
    ap.add_argument("--manifest", help="the data's manifest.json (its sha256 goes into state.json)")
    ap.add_argument("--out", required=True, help="directory for the new checkpoint, probe, log and sample grid")
    ap.add_argument("--seconds", type=float, required=True, help="wall-clock training budget")
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--lr", type=float, default=4e-4)
    ap.add_argument("--warmup", type=int, default=500)
    ap.add_argument("--ema-decay", type=float, default=0.9995)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--min-lr-fraction", type=float, default=0.1,
                    help="after warmup the learning rate follows a cosine over the time budget down to this fraction")
    ap.add_argument("--low-res-weight", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--checkpoint-seconds", type=float, default=90)
    ap.add_argument("--probe-in", help="ForwardProbe --write file of the starting checkpoint")
    ap.add_argument("--probe-tolerance", type=float, default=1e-3)
    ap.add_argument("--bf16", type=int, default=1, help="bf16 autocast for the training forward/backward")
    a = ap.parse_args()

    t_start = time.time()
    if not torch.cuda.is_available():
        print("warning: no CUDA device, training on CPU", flush=True)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(a.seed)
    torch.backends.cudnn.benchmark = True

    with open(os.path.join(a.checkpoint, "state.json")) as f:
        state = json.load(f)
    cfg = state["unet"]
    model = Unet(cfg).to(device)
    load_weights(os.path.join(a.checkpoint, "weights.safetensors"), model)
    ema = Unet(cfg).to(device)
    load_weights(os.path.join(a.checkpoint, "ema.safetensors"), ema)
    for p in ema.parameters():
        p.requires_grad_(False)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"device {torch.cuda.get_device_name(0) if device.type == 'cuda' else 'cpu'}, torch {torch.__version__}, "
          f"UNet {cfg}, {n_params} parameters, from step {state['step']}", flush=True)

    if a.probe_in:
        p = load_file(a.probe_in)
        ef, el = probe(ema, p["x_full"], p["x_low"], p["t"], device)
        err = max((ef - p["eps_full"]).abs().max().item(), (el - p["eps_low"]).abs().max().item())
        print(f"probe {a.probe_in}: max |ours - DjlUnet| = {err:.3g} (tolerance {a.probe_tolerance})", flush=True)
        if not err <= a.probe_tolerance:
            raise SystemExit("forward differs from DjlUnet's: refusing to train")

    full = read_c2fd(a.data).to(device)
    if tuple(full.shape[1:]) != (3, 32, 32):
        raise SystemExit(f"{a.data}: images are {tuple(full.shape[1:])}, expected (3, 32, 32)")
    low = F.avg_pool2d(full, 2)
    manifest_sha = state.get("dataManifestSha256")
    if a.manifest:
        import hashlib
        with open(a.manifest, "rb") as f:
            manifest_sha = hashlib.sha256(f.read()).hexdigest()
        if manifest_sha != state.get("dataManifestSha256"):
            print(f"warning: data manifest sha256 {manifest_sha} differs from the checkpoint's "
                  f"{state.get('dataManifestSha256')}", flush=True)
    print(f"data {a.data}: {full.shape[0]} images", flush=True)

    betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
    alpha_bar = torch.cumprod(1 - betas, 0).to(device)
    sqrt_ab = alpha_bar.sqrt().float()
    sqrt_1m = (1 - alpha_bar).sqrt().float()

    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8,
                           fused=device.type == "cuda")
    start_step = int(state["step"])
    step = start_step
    elapsed_before = float(state.get("elapsedSeconds", 0.0))
    model_params = [p for p in model.parameters()]
    ema_params = [p for p in ema.parameters()]
    os.makedirs(a.out, exist_ok=True)
    ckpt_dir = os.path.join(a.out, "checkpoint")

    def batch(src, n):
        idx = torch.randint(0, src.shape[0], (n,), device=device)
        x0 = src[idx]
        flip = torch.rand(n, device=device) < 0.5
        x0 = torch.where(flip[:, None, None, None], x0.flip(3), x0)
        t = torch.randint(0, 1000, (n,), device=device)
        eps = torch.randn_like(x0)
        xt = sqrt_ab[t][:, None, None, None] * x0 + sqrt_1m[t][:, None, None, None] * eps
        return xt, t, eps

    def current_state():
        s = dict(state)
        s.update({"step": step, "lrScale": 1.0,
                  "elapsedSeconds": elapsed_before + (time.time() - t_start),
                  "dataManifestSha256": manifest_sha, "batch": a.batch, "learningRate": a.lr,
                  "emaDecay": a.ema_decay, "lowResWeight": a.low_res_weight, "hasAdamMoments": False,
                  "savedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                  "trainer": f"models/training/gpu/train_gpu.py on "
                             f"{torch.cuda.get_device_name(0) if device.type == 'cuda' else 'cpu'}, torch {torch.__version__}"})
        return s

    train_t0 = time.time()
    last_ckpt = train_t0
    win_t, win_steps, win_loss, win_full, win_low = train_t0, 0, 0.0, 0.0, 0.0
    bad = 0
    model.train()
    while time.time() - train_t0 < a.seconds:
        k = step - start_step
        frac = min(1.0, (time.time() - train_t0) / a.seconds)
        cosine = a.min_lr_fraction + (1 - a.min_lr_fraction) * 0.5 * (1 + math.cos(math.pi * frac))
        lr = a.lr * cosine * (min(1.0, (k + 1.0) / a.warmup) if a.warmup else 1.0)
        for gr in opt.param_groups:
            gr["lr"] = lr
        xf, tf_, ef = batch(full, a.batch)
        xl, tl, el = batch(low, a.batch)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bool(a.bf16)):
            lf = F.mse_loss(model(xf, tf_, 0).float(), ef)
            ll = F.mse_loss(model(xl, tl, 1).float(), el)
            loss = lf + a.low_res_weight * ll
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model_params, a.clip if a.clip > 0 else float("inf"))
        step += 1
        if (step - start_step) % 50 == 0 or step == start_step + 1:
            lv, gv = loss.item(), gnorm.item()
            if not (math.isfinite(lv) and math.isfinite(gv)):
                bad += 1
                print(f"step {step}: non-finite loss {lv} / grad {gv}", flush=True)
                if bad >= 5:
                    raise SystemExit("training diverged")
        opt.step()
        d = min(a.ema_decay, (1.0 + step) / (10.0 + step))
        torch._foreach_lerp_(ema_params, model_params, 1.0 - d)
        win_steps += 1
        if step % 200 == 0:
            now = time.time()
            print(f"step {step} loss {loss.item():.5f} (full {lf.item():.5f}, low {ll.item():.5f}) grad {gnorm.item():.3f} "
                  f"lr {lr:.3g} {win_steps / (now - win_t):.2f} steps/s elapsed {now - t_start:.0f}s", flush=True)
            win_t, win_steps = now, 0
        if time.time() - last_ckpt >= a.checkpoint_seconds:
            save_checkpoint(ckpt_dir, model, ema, current_state())
            last_ckpt = time.time()
            print(f"checkpoint at step {step}", flush=True)

    train_seconds = time.time() - train_t0
    save_checkpoint(ckpt_dir, model, ema, current_state())
    print(f"trained {step - start_step} steps in {train_seconds:.1f} s "
          f"({(step - start_step) / train_seconds:.2f} steps/s, batch {a.batch}+{a.batch}); checkpoint step {step}",
          flush=True)
    gen = torch.Generator(device="cpu").manual_seed(7)
    x_full = torch.randn(4, 3, 32, 32, generator=gen)
    x_low = torch.randn(4, 3, 16, 16, generator=gen)
    t = torch.tensor([13.0, 500.0, 990.0, 250.0])
    ef, el = probe(ema, x_full, x_low, t, device)
    save_file({"x_full": x_full, "x_low": x_low, "t": t, "eps_full": ef.contiguous(), "eps_low": el.contiguous()},
              os.path.join(a.out, "probe.safetensors"))
    try:
        from PIL import Image
        Image.fromarray(ddim_grid(ema, alpha_bar.float(), device)).save(os.path.join(a.out, "samples-ddim50.png"))
        print("wrote samples-ddim50.png (EMA, 50-step DDIM, 32x32)", flush=True)
    except Exception as e:  # a missing PIL must not cost the run
        print(f"no sample grid: {e}", flush=True)
    print(f"done in {time.time() - t_start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
