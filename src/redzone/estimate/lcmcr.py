"""Bayesian latent-class capture-recapture (LCMCR; Manrique-Vallier 2016, Biometrics).

People fall into latent classes; within a class the lists capture independently, each with its
own probability. Class weights follow a truncated Dirichlet-process (stick-breaking) prior with
concentration alpha ~ Gamma(a, b). The unobserved people are imputed at every sweep from a
negative binomial (the prior on N proportional to 1/N), so the posterior of N = n + n0 comes
straight from the chain. This is a Gibbs sampler in the same sweep order as the R package LCMCR:

    classes of the observed people | weights, capture probabilities
    capture probabilities | classes      (Beta(1 + captures, 1 + misses))
    weights | classes                    (stick-breaking Betas)
    n0 | everything                      (negative binomial)
    classes of the unobserved | n0       (multinomial)
    alpha | weights                      (Gamma)

The sweep works on cells (capture patterns) rather than on people, so its cost does not grow
with n. Several chains start from dispersed points; split R-hat, effective sample size and
Geweke's z are computed on N.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from redzone.estimate.table import CaptureTable, cell_to_pattern

_RELABEL_EVERY = 50


@dataclass(frozen=True)
class LatentClassSettings:
    """Sampler settings; the defaults take about 20 s for any table (the cost is per sweep, not per person)."""

    max_classes: int = 10  # truncation K* of the stick-breaking prior
    a_alpha: float = 0.25  # Gamma(shape a, rate b) prior on the concentration alpha
    b_alpha: float = 0.25
    burn_in: int = 5_000  # sweeps discarded at the start of each chain
    samples: int = 500  # draws kept per chain
    thinning: int = 70  # sweeps between kept draws (N mixes slowly: lag-100 autocorrelation ~0.7)
    chains: int = 6  # run side by side, at little more than the cost of one

    def problems(self) -> list[str]:
        found = []
        for name in ("max_classes", "burn_in", "samples", "thinning", "chains"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                found.append(f"{name}: must be a whole number, got {value!r}")
        if not found:
            if self.max_classes < 1:
                found.append("max_classes: must be at least 1")
            if self.burn_in < 0:
                found.append("burn_in: must be 0 or more")
            if self.samples < 10:
                found.append("samples: must be at least 10")
            if self.thinning < 1:
                found.append("thinning: must be at least 1")
            if self.chains < 1:
                found.append("chains: must be at least 1")
        for name in ("a_alpha", "b_alpha"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not value > 0:
                found.append(f"{name}: must be a positive number, got {value!r}")
        return found


@dataclass(frozen=True)
class LatentClassOutcome:
    population: np.ndarray  # (chains, samples) posterior draws of N
    alpha: np.ndarray  # (chains, samples)
    occupied_classes: np.ndarray  # (chains, samples) classes holding anyone

    def diagnostics(self) -> dict:
        draws = self.population.astype(float)
        return {
            "split_r_hat": split_r_hat(draws),
            "effective_sample_size": effective_sample_size(draws),
            "geweke_z": [geweke_z(chain) for chain in draws],
            "chains": int(draws.shape[0]),
            "draws_per_chain": int(draws.shape[1]),
        }


def sample(table: CaptureTable, settings: LatentClassSettings, seed: int | None) -> LatentClassOutcome:
    """Run the chains side by side: every array carries a leading chain axis, so four chains cost
    little more than one (the sweep is dominated by per-operation overhead, not arithmetic)."""
    rng = np.random.default_rng(seed)
    chains, classes, lists = settings.chains, settings.max_classes, table.n_lists
    cells = table.nonzero_cells()
    patterns = np.array([cell_to_pattern(int(c), lists) for c in cells], dtype=float)  # (M, J)
    patterns_t = np.ascontiguousarray(patterns.T)
    counts = table.counts[cells].astype(np.int64)
    n = int(counts.sum())
    # Dispersed starts: capture probabilities jittered around the list shares, random weights.
    shares = np.clip(patterns.T @ counts / n, 0.02, 0.98)
    spread = (0.15 + 0.1 * np.arange(chains))[:, None, None]
    capture = np.clip(shares[None, :, None] + rng.uniform(-1, 1, (chains, lists, classes)) * spread, 0.01, 0.99)
    log_capture, log_miss = np.log(capture), np.log1p(-capture)
    log_weight = np.log(rng.dirichlet(np.ones(classes), size=chains))  # (C, K)
    alpha = np.ones(chains)
    unseen_by_class = np.zeros((chains, classes), dtype=np.int64)
    kept = settings.samples
    population = np.empty((chains, kept), dtype=np.int64)
    alphas = np.empty((chains, kept))
    occupied = np.empty((chains, kept), dtype=np.int64)
    sweeps = settings.burn_in + kept * settings.thinning
    cut = lists * classes
    chain_index = np.arange(chains)[:, None]
    for sweep in range(sweeps):
        # Classes of the observed people, cell by cell.
        log_p = patterns @ (log_capture - log_miss)  # (C, M, K)
        log_p += (log_miss.sum(axis=1) + log_weight)[:, None, :]
        log_p -= log_p.max(axis=2, keepdims=True)
        probabilities = np.exp(log_p)
        probabilities /= probabilities.sum(axis=2, keepdims=True)
        by_class = rng.multinomial(counts, probabilities)  # (C, M, K)
        # Capture probabilities (the unobserved miss every list) and stick-breaking weights:
        # every Beta drawn as a ratio of Gammas, in one call.
        sizes = by_class.sum(axis=1) + unseen_by_class  # (C, K)
        captured = patterns_t @ by_class  # (C, J, K)
        later = np.cumsum(sizes[:, ::-1], axis=1)[:, ::-1][:, 1:]
        shapes = np.concatenate([
            (1.0 + captured).reshape(chains, cut),
            (1.0 + (sizes[:, None, :] - captured)).reshape(chains, cut),
            1.0 + sizes[:, :-1],
            alpha[:, None] + later,
        ], axis=1)
        log_gammas = _log_gamma(rng, shapes)
        log_x, log_y = log_gammas[:, :cut], log_gammas[:, cut : 2 * cut]
        log_sum = np.logaddexp(log_x, log_y)
        log_capture = (log_x - log_sum).reshape(chains, lists, classes)
        log_miss = (log_y - log_sum).reshape(chains, lists, classes)
        log_a, log_b = log_gammas[:, 2 * cut : 2 * cut + classes - 1], log_gammas[:, 2 * cut + classes - 1 :]
        log_total = np.logaddexp(log_a, log_b)
        log_not_v = np.cumsum(log_b - log_total, axis=1)
        log_weight = np.empty((chains, classes))
        log_weight[:, 0] = log_a[:, 0] - log_total[:, 0]
        log_weight[:, 1:-1] = log_a[:, 1:] - log_total[:, 1:] + log_not_v[:, :-1]
        log_weight[:, -1] = log_not_v[:, -1]
        # The unobserved: how many, then their classes.
        log_unseen = log_weight + log_miss.sum(axis=1)
        top = log_unseen.max(axis=1, keepdims=True)
        share = np.exp(log_unseen - top)
        total = share.sum(axis=1)
        p0 = np.minimum(np.exp(top[:, 0]) * total, 1.0 - 1e-12)
        # (numpy's array-parameter samplers cost far more than a few scalar calls at this size)
        unseen = np.array([rng.negative_binomial(n, 1.0 - p) for p in p0.tolist()])
        shares = share / total[:, None]
        unseen_by_class = np.array([rng.multinomial(u, row) for u, row in zip(unseen.tolist(), shares)])
        # Concentration given the weights (the last stick holds what the others leave).
        rates = settings.b_alpha - log_weight[:, -1]
        alpha = np.array([rng.gamma(settings.a_alpha + classes - 1.0, 1.0 / rate) for rate in rates.tolist()])
        if sweep < settings.burn_in and sweep % _RELABEL_EVERY == _RELABEL_EVERY - 1:
            # During burn-in only: put the largest classes first, where the stick-breaking prior
            # expects them, so each chain starts in a well-ordered state (as LCMCR does once).
            order = np.argsort(-sizes, axis=1, kind="stable")
            log_capture = np.take_along_axis(log_capture, order[:, None, :], axis=2)
            log_miss = np.take_along_axis(log_miss, order[:, None, :], axis=2)
            log_weight = log_weight[chain_index, order]
            unseen_by_class = unseen_by_class[chain_index, order]
        if sweep >= settings.burn_in and (sweep - settings.burn_in) % settings.thinning == settings.thinning - 1:
            index = (sweep - settings.burn_in) // settings.thinning
            population[:, index] = n + unseen
            alphas[:, index] = alpha
            occupied[:, index] = np.count_nonzero(sizes, axis=1)
    return LatentClassOutcome(population, alphas, occupied)


def _log_gamma(rng: np.random.Generator, shape: np.ndarray) -> np.ndarray:
    """log of Gamma(shape, 1) draws; shapes below 1 use G(s) = G(s + 1) U^(1/s)."""
    small = shape < 1.0
    draws = np.log(rng.standard_gamma(shape + small))
    if small.any():
        draws[small] += np.log(rng.uniform(size=int(small.sum()))) / shape[small]
    return draws


# ---- convergence diagnostics ---------------------------------------------------------------


def split_r_hat(draws: np.ndarray) -> float:
    """Gelman-Rubin potential scale reduction on chains split in halves (BDA3, section 11.4)."""
    half = draws.shape[1] // 2
    parts = np.concatenate([draws[:, :half], draws[:, half : 2 * half]], axis=0)
    length = parts.shape[1]
    within = parts.var(axis=1, ddof=1).mean()
    between = length * parts.mean(axis=1).var(ddof=1)
    if within <= 0:
        return float("nan") if between > 0 else 1.0
    pooled = (length - 1) / length * within + between / length
    return float(np.sqrt(pooled / within))


def effective_sample_size(draws: np.ndarray) -> float:
    """Multi-chain effective sample size with Geyer's initial monotone sequence (BDA3 / Stan)."""
    chains, length = draws.shape
    centred = draws - draws.mean(axis=1, keepdims=True)
    size = 1 << int(np.ceil(np.log2(2 * length)))
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    autocovariance = np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=1)[:, :length] / length
    within = draws.var(axis=1, ddof=1).mean()
    pooled = (length - 1) / length * within + (draws.mean(axis=1).var(ddof=1) if chains > 1 else 0.0)
    if pooled <= 0:
        return float(chains * length)
    rho = 1.0 - (within - autocovariance.mean(axis=0)) / pooled
    rho[0] = 1.0
    total, previous = 0.0, np.inf
    for t in range(0, length - 1, 2):
        pair = rho[t] + rho[t + 1]
        if pair <= 0:
            break
        pair = min(pair, previous)
        total += pair
        previous = pair
    tau = max(-1.0 + 2.0 * total, 1.0 / np.log10(max(chains * length, 10)))
    return float(chains * length / tau)


def geweke_z(chain: np.ndarray, first: float = 0.1, last: float = 0.5) -> float:
    """Geweke's z: mean of the first 10% against the last 50%, each mean's variance taken as its
    variance over its effective sample size (so long autocorrelation does not inflate z)."""
    length = chain.size
    a, b = chain[: int(first * length)].astype(float), chain[int((1 - last) * length) :].astype(float)

    def variance_of_mean(part: np.ndarray) -> float:
        return float(part.var(ddof=1) / effective_sample_size(part[None, :])) if part.size > 3 else 0.0

    spread = variance_of_mean(a) + variance_of_mean(b)
    return float((a.mean() - b.mean()) / np.sqrt(spread)) if spread > 0 else 0.0
