"""Expected values for alpaca-lc.json, by the closed form of a two-group logistic fit (standard library only).

The GLM has two weights: w_len on tanh(delta / std) and w_model (the model-identity term, no intercept).
delta = baseline length - model length takes only two values among judged rows, t1 and t2 after tanh, so the
maximum-likelihood fit matches each group's mean preference exactly: sigmoid(w_model + w_len * t) = mean preference.
Two equations, two unknowns. The LC win rate predicts with delta = 0, i.e. sigmoid(w_model) for every item.
"""
import json
import math
import statistics
from pathlib import Path

items = json.loads((Path(__file__).parent / "alpaca-lc.json").read_text())["items"]
deltas = [i["baselineLength"] - i["modelLength"] for i in items]
std = statistics.stdev(deltas)  # sample std over all rows, judged or not (pandas .std())
logit = lambda p: math.log(p / (1 - p))
groups = {}
for i, d in zip(items, deltas):
    if i["preference"] is not None:
        groups.setdefault(d, []).append(i["preference"])
(d1, p1), (d2, p2) = [(d, sum(v) / len(v)) for d, v in sorted(groups.items())]
t1, t2 = math.tanh(d1 / std), math.tanh(d2 / std)
w_len = (logit(p1) - logit(p2)) / (t1 - t2)
w_model = logit(p1) - w_len * t1
judged = [i["preference"] for i in items if i["preference"] is not None]
print(json.dumps({"winRate": sum(judged) / len(judged), "lc": 1 / (1 + math.exp(-w_model)), "wLen": w_len, "wModel": w_model}))
