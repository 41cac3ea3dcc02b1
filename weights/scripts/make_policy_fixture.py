#!/usr/bin/python3
"""PyTorch autograd reference for the edit generator's REINFORCE gradient and Adam steps.

Writes weights/fixtures/policy/reinforce.json: parameters, inputs, the loss and its gradient with
respect to every parameter (float64 autograd), and the parameters after three torch.optim.Adam steps.
The Java EditGenerator writes this gradient by hand; EditGeneratorTest compares the two.
Parametrization (must match sealjvm.seal.policy.EditGenerator):
  theta = W1 (C,H) | b1 (H) | W2 (H,D) | b2 (D) | logstd (D)
  a1 = tanh(h @ W1 + b1); mu = a1 @ W2 + b2; z_k = mu + exp(logstd) * eps_k  (z treated as a constant sample)
  loss = -(1/K) sum_k adv_k * log N(z_k; mu, exp(logstd)^2) - beta * entropy
"""
import json, math, os, sys
import torch

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)
C, H, K = 5, 4, 3
targets = [{"name": "h.0.mlp.c_fc", "in": 3, "out": 2}, {"name": "h.1.attn.c_proj", "in": 2, "out": 3}]
rank = 2
D = sum(rank * (t["in"] + t["out"]) for t in targets)

W1 = torch.randn(C, H) * 0.5
b1 = torch.randn(H) * 0.1
W2 = torch.randn(H, D) * 0.3
b2 = torch.randn(D) * 0.2
logstd = torch.randn(D) * 0.2 - 1.0
h = torch.randn(C)
eps = torch.randn(K, D)
adv = torch.tensor([0.7, -0.2, -0.5])
beta = 0.01
theta0 = torch.cat([W1.flatten(), b1, W2.flatten(), b2, logstd])


def split(theta):
    o = 0
    out = []
    for n, shape in [(C * H, (C, H)), (H, (H,)), (H * D, (H, D)), (D, (D,)), (D, (D,))]:
        out.append(theta[o:o + n].view(shape)); o += n
    return out


def loss_fn(theta):
    W1, b1, W2, b2, logstd = split(theta)
    a1 = torch.tanh(h @ W1 + b1)
    mu = a1 @ W2 + b2
    with torch.no_grad():
        z = mu + torch.exp(logstd) * eps           # the sampled edits: constants for the score function
    std = torch.exp(logstd)
    logp = (-0.5 * ((z - mu) / std) ** 2 - logstd - 0.5 * math.log(2 * math.pi)).sum(dim=1)
    entropy = (logstd + 0.5 * math.log(2 * math.pi * math.e)).sum()
    return -(adv * logp).mean() - beta * entropy


theta = theta0.clone().requires_grad_(True)
loss = loss_fn(theta)
loss.backward()
grad = theta.grad.clone()

p = theta0.clone().requires_grad_(True)
opt = torch.optim.Adam([p], lr=0.01)
for _ in range(3):
    opt.zero_grad()
    loss_fn(p).backward()
    opt.step()

out = {
    "C": C, "H": H, "K": K, "rank": rank, "alpha": 4.0, "targets": targets, "beta": beta,
    "theta": theta0.tolist(), "h": h.tolist(), "eps": eps.tolist(), "adv": adv.tolist(),
    "loss": loss.item(), "grad": grad.tolist(),
    "adam": {"lr": 0.01, "steps": 3, "theta": p.detach().tolist()},
    "torch_version": torch.__version__,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "policy", "reinforce.json")
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(out, f, indent=1)
os.replace(tmp, path)
print("wrote", os.path.normpath(path), "D =", D, "loss =", loss.item())
