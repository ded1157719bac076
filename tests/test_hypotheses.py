"""lb.check_hypotheses: every hypothesis a result keeps, checked (issue 11)."""
import numpy as np
import pytest

import lossbook as lb

_THEOREMS = {"icml-prop-2": (1, 2), "icml-prop-6": (1, 2)}
_ACT = {"icml-prop-2": "relu", "icml-prop-3": "leaky_relu", "icml-prop-4": "sigmoid",
        "icml-prop-5": "quadratic", "icml-prop-6": "relu", "icml-prop-7": "relu"}


@pytest.mark.parametrize("rid,theorem", [(r, t) for r in lb.COUNTEREXAMPLE_IDS
                                         for t in _THEOREMS.get(r, (None,))])
def test_book_counterexamples_keep_their_hypotheses(rid, theorem):
    kw = {} if theorem is None else {"theorem": theorem}
    objective, _ = lb.counterexample(rid, **kw)
    rep = lb.check_hypotheses(rid, objective, activation=_ACT[rid], **kw)
    assert rep.holds, rep.summary()
    # each counterexample violates what it drops
    assert rep.dropped and not any(h.holds for h in rep.dropped), rep.summary()
    text = rep.summary()
    assert text == lb.check_hypotheses(rid, objective, activation=_ACT[rid], **kw).summary()
    assert text.endswith("all kept hypotheses hold: True")


def test_a_failing_kept_hypothesis_is_reported():
    # icml-prop-2 read against Theorem 1 on separable half-space data: Assumption 3 fails
    objective, _ = lb.counterexample("icml-prop-2", theorem=2)
    rep = lb.check_hypotheses("icml-prop-2", objective, activation="relu", theorem=1)
    assert not rep.holds
    assert "ICML Assumption 3 (r > max(r+, r-))" in rep.failed
    assert "[NO ]" in rep.summary()
    # a declared neuron the model does not compute with is caught
    objective, _ = lb.counterexample("icml-prop-3")
    rep = lb.check_hypotheses("icml-prop-3", objective, activation="relu")
    assert not rep["neuron in the leaky-ReLU class, sigma(z) = z for z >= 0"].holds


def test_separability_through_the_origin_versus_with_a_bias():
    # 1-D data, negatives at 0.5, positives at 1 and 2: separable only with a bias (erratum 4)
    X = np.array([[0.5], [1.0], [2.0]])
    y = np.array([-1.0, 1.0, 1.0])
    model = lb.single_layer(1, 2, "exponential")
    rep = lb.check_hypotheses("icml-ex-b8", theorem=2, model=model, X=X, y=y,
                              loss="quadratic", activation="exponential")
    assert not rep["ICML Assumption 6 (linearly separable through the origin)"].holds
    assert not rep.holds
    # appending a constant coordinate makes them separable through the origin
    X1 = np.hstack([X, np.ones((3, 1))])
    rep1 = lb.check_hypotheses("icml-ex-b8", theorem=2, model=lb.single_layer(2, 2, "exponential"),
                               X=X1, y=y, loss="quadratic", activation="exponential")
    assert rep1.holds, rep1.summary()
    assert not rep1.dropped[0].holds  # the quadratic loss is what the example drops


def _relu_net_1d(hidden):
    return lb.feedforward(1, hidden=(hidden,), activation="relu")


def test_realizability_is_a_verified_certificate():
    # issue 11, erratum 1: x = 0, 1, 2, 3 with labels -, +, -, + (multiplicities dropped)
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([-1.0, 1.0, -1.0, 1.0])
    net3 = _relu_net_1d(3)
    # f(x) = -1/2 + 2 r(x) - 4 r(x - 1) + 4 r(x - 2)
    good = {"W1": np.array([[1.0, 1.0, 1.0]]), "b1": np.array([0.0, -1.0, -2.0]),
            "v": np.array([2.0, -4.0, 4.0]), "c": np.array(-0.5)}
    aug = lb.add_exponential_neuron(net3, lam=1.0)
    loss = lb.get_loss("neurips_hinge", p=3)
    rep = lb.check_hypotheses("ni-prop-3", model=aug, loss=loss, X=X, y=y, realizer=good,
                              realizer_model=net3, degree=3)
    assert rep.holds, rep.summary()
    assert "min_i y_i f(x_i) = 0.5" in rep["NeurIPS Assumption 2 (realizability)"].evidence
    # a point that misclassifies a sample is no certificate
    bad = dict(good, c=np.array(0.6))
    rep_bad = lb.check_hypotheses("ni-prop-3", model=aug, loss=loss, X=X, y=y, realizer=bad,
                                  realizer_model=net3, degree=3)
    assert not rep_bad.holds and rep_bad.failed == ("NeurIPS Assumption 2 (realizability)",)
    # the alternating data need a cubic: a quadratic polynomial does not separate them
    rep2 = lb.check_hypotheses("ni-prop-3", model=aug, loss=loss, X=X, y=y, realizer=good,
                               realizer_model=net3, degree=2)
    assert not rep2.holds


def test_regulariser_kept_by_ni_thm_1_and_dropped_by_ni_reg():
    X = np.array([[-1.0], [0.0], [1.0]])
    y = np.array([1.0, -1.0, 1.0])
    net = _relu_net_1d(2)
    realizer = {"W1": np.array([[1.0, -1.0]]), "b1": np.array([0.0, 0.0]),
                "v": np.array([2.0, 2.0]), "c": np.array(-1.0)}
    loss = lb.get_loss("neurips_hinge", p=3)
    for lam, rid in ((1.0, "ni-thm-1"), (0.0, "ni-reg")):
        model = lb.add_exponential_neuron(net, lam=lam)
        rep = lb.check_hypotheses(rid, model=model, loss=loss, X=X, y=y, realizer=realizer,
                                  realizer_model=net)
        assert rep.holds, rep.summary()
        reg = rep["regulariser lambda a^2/2 with lambda > 0"]
        assert reg.holds == (lam > 0) and reg.kept == (rid == "ni-thm-1")
    rep = lb.check_hypotheses("ni-thm-1", model=lb.add_exponential_neuron(net, lam=0.0), loss=loss,
                              X=X, y=y, realizer=realizer, realizer_model=net)
    assert not rep.holds


def test_polynomial_separability():
    X = np.array([[0.0], [1.0], [2.0]])
    y = np.array([-1.0, 1.0, -1.0])
    assert not lb.is_polynomially_separable(X, y, 1)
    assert lb.is_polynomially_separable(X, y, 2)


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="result_id"):
        lb.check_hypotheses("icml-prop-99")
    with pytest.raises(ValueError, match="activation"):
        objective, _ = lb.counterexample("icml-prop-5")
        lb.check_hypotheses("icml-prop-5", objective)
    with pytest.raises(ValueError, match="theorem"):
        lb.check_hypotheses("icml-prop-5", objective, activation="quadratic", theorem=1)
    with pytest.raises(ValueError, match="realizer"):
        lb.check_hypotheses("ni-thm-1", model=lb.add_exponential_neuron(_relu_net_1d(2)),
                            loss="neurips_hinge", X=np.eye(2)[:, :1], y=np.array([1.0, -1.0]))
    with pytest.raises(TypeError, match="objective"):
        lb.check_hypotheses("icml-prop-5", "not an objective")
    with pytest.raises(ValueError, match="degree"):
        monomial = lb.add_monomial_neuron(_relu_net_1d(2))
        lb.check_hypotheses("ni-prop-1", model=monomial, loss="neurips_hinge",
                            X=np.eye(2)[:, :1], y=np.array([1.0, -1.0]), realizer=monomial.init(0))
