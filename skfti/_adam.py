"""The one Adam step of skfti's TensorFlow graphs (children and value network).

Imported lazily (it imports TensorFlow through :mod:`skfti._tf`).
"""

from skfti._tf import import_tensorflow

tf = import_tensorflow()

__all__ = ["BETA_1", "BETA_2", "EPSILON", "apply_adam"]

BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-7  # Keras' defaults


def apply_adam(variables, m_slots, v_slots, grads, t, lr):
    """One Adam step (Kingma and Ba) on every variable, in place.

    ``t`` is a ``tf.Variable`` step counter, incremented here. The update is
    TensorFlow's fused ``ResourceApplyAdam`` kernel: one pass over each
    weight (an unfused elementwise Adam doubled the child's step time here).
    """
    t.assign_add(1.0)
    beta_1_power, beta_2_power = BETA_1**t, BETA_2**t
    for var, m, v, g in zip(variables, m_slots, v_slots, grads, strict=True):
        tf.raw_ops.ResourceApplyAdam(
            var=var.handle,
            m=m.handle,
            v=v.handle,
            beta1_power=beta_1_power,
            beta2_power=beta_2_power,
            lr=lr,
            beta1=BETA_1,
            beta2=BETA_2,
            epsilon=EPSILON,
            grad=g,
        )
