"""Multinomial draws identical to R's `set.seed(seed); rmultinom(...)`, to reproduce published work.

The published bootstrap intervals (SparseMSE, MultipleSystemsEstimation) come from R's default
generator. Matching its stream lets the tests check our intervals to the replicate rather than
only up to Monte Carlo noise. What R does, re-implemented here:

* set.seed: the seed is scrambled by 50 rounds of s = 69069 s + 1 (mod 2^32); the next 625
  values fill the Mersenne-Twister state, whose position is then reset to 624;
* unif_rand: a 32-bit Mersenne-Twister output times 2.3283064365386963e-10, kept inside (0, 1);
* rbinom: inversion when n p < 30, otherwise Kachitvichyanukul & Schmeiser's BTPE, in the form R
  used until 2026 (R 4.6 corrected two signs in its Stirling-series squeeze; `corrected=True`
  selects the new form);
* rmultinom: probabilities normalised in double precision, then a chain of binomials with the
  remaining probability mass carried in long double, as R's C code does.
"""

from __future__ import annotations

import math

import numpy as np

_TO_UNIT = 2.3283064365386963e-10
_HALF_STEP = 0.5 * 2.328306437080797e-10


class RRandom:
    """R's Mersenne-Twister stream after `set.seed(seed)`."""

    def __init__(self, seed: int, *, corrected: bool = False) -> None:
        state = seed & 0xFFFFFFFF
        for _ in range(50):
            state = (69069 * state + 1) & 0xFFFFFFFF
        words = []
        for _ in range(625):
            state = (69069 * state + 1) & 0xFFFFFFFF
            words.append(state)
        self._generator = np.random.MT19937()
        self._generator.state = {
            "bit_generator": "MT19937",
            "state": {"key": np.array(words[1:], dtype=np.uint32), "pos": 624},
        }
        self._buffer: list[int] = []
        self._next = 0
        self._corrected = corrected

    def uniform(self) -> float:
        if self._next >= len(self._buffer):
            self._buffer = self._generator.random_raw(624).tolist()
            self._next = 0
        value = self._buffer[self._next] * _TO_UNIT
        self._next += 1
        if value <= 0.0:
            return _HALF_STEP
        if 1.0 - value <= 0.0:
            return 1.0 - _HALF_STEP
        return value

    def binomial(self, trials: int, probability: float) -> int:
        if trials == 0 or probability == 0.0:
            return 0
        if probability == 1.0:
            return trials
        p = min(probability, 1.0 - probability)
        q = 1.0 - p
        np_ = trials * p
        r = p / q
        g = r * (trials + 1)
        if np_ < 30.0:
            drawn = self._binomial_inversion(trials, p, q, g, r)
        else:
            drawn = self._binomial_btpe(trials, p, q, np_, g, r)
        return trials - drawn if probability > 0.5 else drawn

    def _binomial_inversion(self, n: int, p: float, q: float, g: float, r: float) -> int:
        qn = _power(q, n) if p > 0.25 else math.exp(n * math.log1p(-p))
        while True:
            ix = 0
            f = qn
            u = self.uniform()
            while True:
                if u < f:
                    return ix
                if ix > 110:
                    break
                u -= f
                ix += 1
                f *= g / ix - r

    def _binomial_btpe(self, n: int, p: float, q: float, np_: float, g: float, r: float) -> int:
        ffm = np_ + p
        m = int(ffm)
        fm = float(m)
        npq = np_ * q
        p1 = int(2.195 * math.sqrt(npq) - 4.6 * q) + 0.5
        xm = fm + 0.5
        xl = xm - p1
        xr = xm + p1
        c = 0.134 + 20.5 / (15.3 + fm)
        al = (ffm - xl) / (ffm - xl * p)
        xll = al * (1.0 + 0.5 * al)
        al = (xr - ffm) / (xr * q)
        xlr = al * (1.0 + 0.5 * al)
        p2 = p1 * (1.0 + c + c)
        p3 = p2 + c / xll
        p4 = p3 + c / xlr
        while True:
            u = self.uniform() * p4
            v = self.uniform()
            if u <= p1:
                return int(xm - p1 * v + u)
            if u <= p2:
                x = xl + (u - p1) / c
                v = v * c + 1.0 - abs(xm - x) / p1
                if v > 1.0 or v <= 0.0:
                    continue
                ix = int(x)
            elif u > p3:
                ix = int(xr - math.log(v) / xlr)
                if ix > n:
                    continue
                v = v * (u - p3) * xlr
            else:
                ix = int(xl + math.log(v) / xll)
                if ix < 0:
                    continue
                v = v * (u - p2) * xll
            k = abs(ix - m)
            if k <= 20 or k >= npq / 2 - 1:
                f = 1.0
                if m < ix:
                    for i in range(m + 1, ix + 1):
                        f *= g / i - r
                elif m != ix:
                    for i in range(ix + 1, m + 1):
                        f /= g / i - r
                if v <= f:
                    return ix
                continue
            sixth = 0.16666666666666666 if self._corrected else 0.1666666666666
            amaxp = (k / npq) * ((k * (k / 3.0 + 0.625) + sixth) / npq + 0.5)
            ynorm = -k * k / (2.0 * npq)
            alv = math.log(v)
            if alv < ynorm - amaxp:
                return ix
            if alv <= ynorm + amaxp:
                x1 = ix + 1
                f1 = fm + 1.0
                z = n + 1 - fm
                w = n - ix + 1.0
                z2, x2, f2, w2 = z * z, x1 * x1, f1 * f1, w * w
                bound = xm * math.log(f1 / x1) + (n - m + 0.5) * math.log(z / w) + (ix - m) * math.log(w * p / (x1 * q))
                if self._corrected:
                    bound = bound + (_stirling(f2) / f1 + _stirling(z2) / z) / 166320.0 - (
                        _stirling(x2) / x1 + _stirling(w2) / w) / 166320.0
                else:
                    bound = (bound + _stirling(f2) / f1 / 166320.0 + _stirling(z2) / z / 166320.0
                             + _stirling(x2) / x1 / 166320.0 + _stirling(w2) / w / 166320.0)
                if alv <= bound:
                    return ix

    def multinomial(self, size: int, weights: np.ndarray) -> np.ndarray:
        """One draw of rmultinom(1, size, weights); `weights` need not sum to 1."""
        weights = np.asarray(weights, dtype=float)
        total = 0.0
        for w in weights:
            if w > 0:
                total += float(w)
        prob = [float(w) / total for w in weights]
        remaining_mass = np.longdouble(0.0)
        for value in prob:
            remaining_mass += np.longdouble(value)
        out = np.zeros(len(prob), dtype=np.int64)
        left = int(size)
        if left == 0:
            return out
        for k in range(len(prob) - 1):
            if prob[k] != 0.0:
                pp = float(np.longdouble(prob[k]) / remaining_mass)
                out[k] = self.binomial(left, pp) if pp < 1.0 else left
                left -= int(out[k])
            if left <= 0:
                return out
            remaining_mass -= np.longdouble(prob[k])
        out[-1] = left
        return out


def _stirling(square: float) -> float:
    return 13860.0 - (462.0 - (132.0 - (99.0 - 140.0 / square) / square) / square) / square


def _power(x: float, n: int) -> float:
    """R_pow_di: x**n by repeated squaring, in R's order of operations."""
    result = 1.0
    while True:
        if n & 1:
            result *= x
        n >>= 1
        if n:
            x *= x
        else:
            return result


def r_tidy_order(n_lists: int) -> list[int]:
    """Cells in the order of R's tidy_lists(): by number of lists, then list 1 before list 2..."""
    cells = range(1, 1 << n_lists)
    return sorted(cells, key=lambda c: (bin(c).count("1"), [-((c >> i) & 1) for i in range(n_lists)]))
