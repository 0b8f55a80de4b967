"""The one model definition every layout is written from: a Llama/Qwen2-style decoder (RMSNorm before attention and MLP,
rotary positions, grouped-query attention with optional q/k/v bias, SwiGLU MLP, tied embeddings), parameter names as
in Hugging Face's Qwen2ForCausalLM, and the configurations the builder knows.

The forward signature is Optimum's decoder signature (input_ids, attention_mask, position_ids, *past) -> (logits,
*presents), so torch.onnx.export writes the Optimum layout directly and the same module is the PyTorch reference.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

# Qwen2.5-0.5B's published config.json (hidden 896, intermediate 4864, 24 layers, 14 query / 2 KV heads of 64, q/k/v
# bias, vocabulary 151,936, tied embeddings, RoPE theta 1e6, RMSNorm eps 1e-6, 32,768 positions); ids as published.
QWEN25_05B = {
    "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 151936, "hidden_size": 896,
    "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2,
    "head_dim": 64, "hidden_act": "silu", "max_position_embeddings": 32768, "rms_norm_eps": 1e-6,
    "rope_theta": 1000000.0, "attention_bias": True, "tie_word_embeddings": True,
    "bos_token_id": 151643, "eos_token_id": 151643, "torch_dtype": "float32",
}

# The shipped tiny-llama's shapes (Inference.Grpc/models/tiny-llama/1/config.json, whose tokenizer it takes), with
# Qwen2's q/k/v bias so the tests cover the bias the Qwen-shaped model has.
TINY = {
    "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 999, "hidden_size": 128,
    "intermediate_size": 352, "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2,
    "head_dim": 32, "hidden_act": "silu", "max_position_embeddings": 1024, "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0, "attention_bias": True, "tie_word_embeddings": True,
    "bos_token_id": 996, "eos_token_id": 998, "torch_dtype": "float32",
}

CONFIGS = {"tiny": TINY, "qwen2.5-0.5b": QWEN25_05B}


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class Attention(nn.Module):
    """Query head h reads key/value head h // (heads // kv_heads) (Llama's repeat_kv), by broadcasting over a group
    axis rather than repeating the cache."""

    def __init__(self, config):
        super().__init__()
        d, bias = config["hidden_size"], config["attention_bias"]
        self.heads, self.kv_heads, self.head_dim = config["num_attention_heads"], config["num_key_value_heads"], config["head_dim"]
        self.q_proj = nn.Linear(d, self.heads * self.head_dim, bias=bias)
        self.k_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=bias)
        self.v_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=bias)
        self.o_proj = nn.Linear(self.heads * self.head_dim, d, bias=False)

    def forward(self, x, cos, sin, mask, past_key, past_value):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_key, k], dim=2)
        v = torch.cat([past_value, v], dim=2)
        groups = self.heads // self.kv_heads
        q = q.reshape(b, self.kv_heads, groups, s, self.head_dim)
        scores = (q @ k[:, :, None].transpose(-1, -2)) * (self.head_dim ** -0.5)
        scores = scores.masked_fill(~mask[:, :, None], torch.finfo(scores.dtype).min)
        attn = (F.softmax(scores, dim=-1) @ v[:, :, None]).reshape(b, self.heads, s, self.head_dim)
        return self.o_proj(attn.transpose(1, 2).reshape(b, s, self.heads * self.head_dim)), k, v


class Mlp(nn.Module):
    """SwiGLU: down(silu(gate(x)) * up(x))."""

    def __init__(self, config):
        super().__init__()
        d, i = config["hidden_size"], config["intermediate_size"]
        self.gate_proj = nn.Linear(d, i, bias=False)
        self.up_proj = nn.Linear(d, i, bias=False)
        self.down_proj = nn.Linear(i, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        d, eps = config["hidden_size"], config["rms_norm_eps"]
        self.input_layernorm = RMSNorm(d, eps)
        self.self_attn = Attention(config)
        self.post_attention_layernorm = RMSNorm(d, eps)
        self.mlp = Mlp(config)

    def forward(self, x, cos, sin, mask, past_key, past_value):
        h, k, v = self.self_attn(self.input_layernorm(x), cos, sin, mask, past_key, past_value)
        x = x + h
        return x + self.mlp(self.post_attention_layernorm(x)), k, v


class Decoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embed_tokens = nn.Embedding(config["vocab_size"], config["hidden_size"])
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config["num_hidden_layers"]))
        self.norm = RMSNorm(config["hidden_size"], config["rms_norm_eps"])
        self.register_buffer("inv_freq", inverse_frequencies(config), persistent=False)

    def seed_weights(self, seed):
        """Seeded random weights scaled so that every layer moves the residual stream: N(0, 1/fan_in) projections,
        N(0, 1) embeddings, biases N(0, 0.1), layer norm gains around 1. The final norm's gains are N(0, 1), signs
        included: with tied embeddings and gains near 1 a random model's best next token is the token it just read
        (its embedding's dot product with itself), so it repeats one id forever; random signs remove that pull and
        the greedy ids depend on the whole context."""
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name == "norm.weight":
                    p.copy_(torch.randn(p.shape, generator=generator))
                elif name.endswith("embed_tokens.weight"):
                    p.copy_(torch.randn(p.shape, generator=generator))
                elif name.endswith("norm.weight"):
                    p.copy_(1 + 0.1 * torch.randn(p.shape, generator=generator))
                elif name.endswith(".bias"):
                    p.copy_(0.1 * torch.randn(p.shape, generator=generator))
                else:
                    p.copy_(torch.randn(p.shape, generator=generator) / p.shape[1] ** 0.5)
        return self

    def empty_past(self, batch):
        shape = (batch, self.config["num_key_value_heads"], 0, self.config["head_dim"])
        return [(torch.zeros(shape), torch.zeros(shape)) for _ in self.layers]

    def forward(self, input_ids, attention_mask, position_ids, *past):
        s = input_ids.shape[1]
        past_len = past[0].shape[2]
        query_pos = torch.arange(s, device=input_ids.device) + past_len
        key_pos = torch.arange(past_len + s, device=input_ids.device)
        # Causal over cache slots, and padding (attention_mask 0) masked: batches may be left-padded.
        causal = key_pos[None, :] <= query_pos[:, None]
        mask = causal[None, None, :, :] & (attention_mask[:, None, None, :] > 0)
        freqs = position_ids[:, :, None].float() * self.inv_freq[None, None, :]
        angles = torch.cat([freqs, freqs], dim=-1)[:, None]
        cos, sin = angles.cos(), angles.sin()
        x = self.embed_tokens(input_ids)
        presents = []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, cos, sin, mask, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        logits = self.norm(x) @ self.embed_tokens.weight.t()
        return (logits, *presents)


def inverse_frequencies(config):
    head_dim = config["head_dim"]
    return 1.0 / (config["rope_theta"] ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))


class WithoutPositionIds(nn.Module):
    """The decoder without a position_ids input (older Optimum exports): each token's position is the count of
    attended tokens before it in its row, from attention_mask, so left-padded rows still start at position 0."""

    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, input_ids, attention_mask, *past):
        positions = (torch.cumsum(attention_mask, dim=1) - 1).clamp(min=0)
        return self.decoder(input_ids, attention_mask, positions[:, -input_ids.shape[1]:], *past)


class WithoutPast(nn.Module):
    """The first step of Optimum's merged decoder (use_cache_branch false): no past inputs, presents out."""

    def __init__(self, decoder, position_ids=True):
        super().__init__()
        self.decoder = decoder if position_ids else WithoutPositionIds(decoder)
        self.inner = decoder
        self.position_ids = position_ids

    def forward(self, input_ids, attention_mask, *position_ids):
        past = [t for kv in self.inner.empty_past(1) for t in kv]
        # One empty past per row of the batch, built from input_ids' batch size so the export keeps batch dynamic.
        past = [p.expand(input_ids.shape[0], -1, -1, -1) for p in past]
        return self.decoder(input_ids, attention_mask, *position_ids, *past)
