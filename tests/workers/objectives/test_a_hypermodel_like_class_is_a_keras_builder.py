"""A class or object with a ``build(genome, input_shape, num_classes)`` method, as KerasTuner's
``HyperModel`` has, is registered as a Keras builder: gaweb trains what its build returns."""

from __future__ import annotations

from workers.objectives import registry
from workers.objectives.keras import KerasObjective


class ResidualSearch:
    """a HyperModel-like class"""

    def __init__(self):
        self.blocks = 2

    def build(self, genome, input_shape, num_classes):
        return (self.blocks, genome, input_shape, num_classes)


def test_a_class_with_build_is_instantiated_and_its_build_trains():
    assert registry.describe("residual", ResidualSearch).kind == "keras"
    objective = registry.adapt(ResidualSearch)
    assert isinstance(objective, KerasObjective)
    assert objective.build({"x": 1}, (8, 8, 1), 10) == (2, {"x": 1}, (8, 8, 1), 10)


def test_an_object_with_build_is_used_as_it_is():
    instance = ResidualSearch()
    instance.blocks = 5
    assert registry.adapt(instance).build({}, (4, 4, 3), 2)[0] == 5
    assert registry.describe("residual", instance).description == "a HyperModel-like class"


def test_a_build_without_input_shape_is_not_a_keras_builder():
    class Other:
        def build(self, hp):
            return None

        def __call__(self, genome, report):
            return 1.0

    assert registry.describe("other", Other()).kind == "function"
