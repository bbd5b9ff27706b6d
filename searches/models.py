"""The search domain's tables: ``Search``, its ``Generation``s and ``Entity``s (one aggregate, with
each entity's ``EpochResult``s and ``FinalModel``), and two tables of the machines that train them
(``UnableHost``, ``ObjectiveOffer``), and the dashboard board kept of each search (``BoardSnapshot``).

Over 300 lines on purpose: Django looks for an app's models in this module, and the aggregate's
facts (its typed spec, its policy, its totals, the entity roles of ``EntityQuerySet``) are short
methods on the models they concern, as the design asks; split across modules they would import
each other. Reads live in ``searches.reads``, writes in ``searches.services``.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.db import models

from searches.genetics import BreedingPolicy, Space, StoppingRule
from searches.spec.search import SearchSpec


class Search(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"
        CANCELLED = "cancelled"

    class Execution(models.TextChoices):
        WORKERS = "workers", "Celery workers"
        INLINE = "inline", "in one process (runsearch --inline)"

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # The whole spec in its normal form (see searches.spec.search): the source of truth for settings.
    spec = models.JSONField()
    seed = models.BigIntegerField()
    dataset = models.CharField(max_length=1100)
    objective = models.CharField(max_length=32)
    # What the fitness is: the objective's metric, and whether it was maximised or minimised (a
    # minimised metric's fitness is its negative, so that higher is better everywhere).
    metric = models.CharField(max_length=64, default="val_accuracy")
    direction = models.CharField(max_length=8, default="maximize")
    population = models.PositiveIntegerField()
    generations = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    execution = models.CharField(max_length=16, choices=Execution.choices, default=Execution.WORKERS)
    # The generation being evaluated (in steady-state mode: the cohort of the latest birth); -1 before start.
    current_generation = models.IntegerField(default=-1)
    # Steady-state mode: candidates born so far (a birth's number seeds its random stream).
    births = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # The search's best fitness, the one figure every page, the API and the terminal show: the
    # crowned candidate's (the top of ``reads.best.ranked_best``: trained to its last epoch,
    # by the mean of its trainings where ``ga.confirm`` trained it again). Kept by the services as
    # results are recorded, so that a list of searches reads it from their rows.
    best_fitness = models.FloatField(null=True, blank=True)
    # Advances that raised in a row (a reconciler's pass, on any machine); at the limit the search
    # fails with the error, so that one search's bug never stops a process that serves the others.
    advance_errors = models.PositiveIntegerField(default=0)
    # Why a search ended before its last generation, when not by failure or cancel (the space ran out).
    note = models.TextField(blank=True)
    # What the dataset gave the network, as a worker that loaded it reported it:
    # {"input_shape": [32, 32, 3], "class_names": [...]} (class names in label order).
    dataset_info = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"], name="search_status")]
        verbose_name_plural = "searches"

    def fitness_meaning(self) -> str:
        """What a fitness figure of this search is, in words (before any size penalty)."""
        if self.direction == "minimize":
            return f"-{self.metric}: the objective's {self.metric}, minimised, so that higher is better"
        return f"{self.metric}, maximised"

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    # The domain facts every part of gaweb asks of a search, read from its typed spec, which is
    # parsed once per object. The stored spec was validated when the search was created.

    @cached_property
    def settings(self) -> SearchSpec:
        """The search's spec, typed: every setting is read through this, never from the raw dict."""
        return SearchSpec.from_stored(self.spec)

    def refresh_from_db(self, *args, **kwargs) -> None:
        super().refresh_from_db(*args, **kwargs)
        self.__dict__.pop("settings", None)  # the spec may have changed (``search_extend``)

    @property
    def space(self) -> Space:
        return self.settings.space

    @property
    def policy(self) -> BreedingPolicy:
        return self.settings.ga

    @property
    def has_baseline(self) -> bool:
        """The tutorial network is trained too, as a reference (never bred from, never the best)."""
        return self.settings.baseline

    @property
    def birth_budget(self) -> int:
        """How many candidates the search proposes: ``population x generations``, or fewer when it
        never proposes a genome twice and its space holds fewer."""
        total = self.population * self.generations
        combinations = self.space.combinations
        if self.policy.duplicates == "rebreed" and combinations is not None:
            total = min(total, combinations)
        return total

    @property
    def candidate_total(self) -> int:
        """How many candidates the search trains or caches in all, the baseline and confirmations included."""
        return self.birth_budget + (1 if self.has_baseline else 0) + self.policy.confirm

    @property
    def is_steady_state(self) -> bool:
        return self.policy.mode == "steady_state"

    @property
    def max_consecutive_failures(self) -> int:
        """The failures in a row that fail the search (0: never); 5 for a spec stored without it."""
        return self.settings.training.max_consecutive_failures

    @property
    def stopping_rule(self) -> StoppingRule | None:
        return self.settings.stopping_rule


class Generation(models.Model):
    search = models.ForeignKey(Search, related_name="generation_set", on_delete=models.CASCADE)
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Summary of the candidates (immigrants excluded), filled when the generation ends.
    best_fitness = models.FloatField(null=True, blank=True)
    mean_fitness = models.FloatField(null=True, blank=True)
    done_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    cached_count = models.PositiveIntegerField(default=0)
    # Stopped early by the search's rule: they have a result, from fewer epochs.
    stopped_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # The last guard against breeding a generation twice.
            models.UniqueConstraint(fields=["search", "number"], name="generation_number_unique_in_search"),
        ]

    def __str__(self) -> str:
        return f"search #{self.search_id} generation {self.number}"


class EntityQuerySet(models.QuerySet):
    """The roles an entity plays, named once (``Entity.objects.population()``, ``generation.entities.finals()``).

    An entity is a member of the search's population (proposed by its strategy: random, seeded,
    offspring, TPE's, immigrants), or a measurement of something already chosen: the tutorial's
    network trained beside them (baseline), a best candidate trained again (confirmation), or the
    final training of the best on all data, after the search.
    """

    def population(self) -> EntityQuerySet:
        """What the strategy proposed: what breeding, the rankings and the analyses are about."""
        return self.exclude(origin__in=Entity.MEASUREMENTS)

    def of_the_search(self) -> EntityQuerySet:
        """Everything trained during the search (its progress, its dashboard): not the final trainings,
        which come after and are shown apart."""
        return self.exclude(origin=Entity.Origin.FINAL)

    def finals(self) -> EntityQuerySet:
        return self.filter(origin=Entity.Origin.FINAL)

    def confirmations(self) -> EntityQuerySet:
        return self.filter(origin=Entity.Origin.CONFIRMATION)

    def baselines(self) -> EntityQuerySet:
        return self.filter(origin=Entity.Origin.BASELINE)


class Entity(models.Model):
    class Origin(models.TextChoices):
        RANDOM = "random"
        # Placed in generation 0 by the spec's ``ga.seed_genomes`` (the tutorial's values, say).
        SEEDED = "seeded", "seed genome"
        OFFSPRING = "offspring"
        IMMIGRANT = "immigrant"
        BASELINE = "baseline"
        TPE = "tpe", "proposed by TPE"
        # A best candidate trained once more from other initial weights, at the end of the search.
        CONFIRMATION = "confirmation", "confirmation of a best candidate"
        # Trained at last on every search image and measured once on the test split, after the
        # search ("Train the best on all data"); ``replicate_of`` is the candidate (None: the tutorial's).
        FINAL = "final", "final training"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CACHED = "cached"
        # Stopped before its last epoch by the search's early-stopping rule; its fitness is its
        # last epoch's (a partial result: it counts for breeding, it is never the search's best).
        STOPPED = "stopped", "stopped early"
        # Immigrants are parents only: recorded, never trained.
        PARENT_ONLY = "parent_only", "parent only (not trained)"
        # Never trained: its search was cancelled, or failed, before a worker took it. Not a
        # failure of the candidate, and not an end with a result (no fitness, no point drawn).
        CANCELLED = "cancelled", "cancelled (never trained)"
        # Paused at a rung of its generation's bracket (successive halving's ``promotion: bracket``), its
        # weights kept (``Checkpoint``): queued again if it is among the best there, stopped if not.
        WAITING = "waiting", "waiting at a rung"

    ENDED = (Status.DONE, Status.FAILED, Status.CACHED, Status.STOPPED)
    PENDING = (Status.QUEUED, Status.RUNNING, Status.WAITING)
    # Trainings that measure something already chosen (the tutorial, a best candidate again, the
    # final training): never stopped early, and never the yardstick of a candidate that may be.
    MEASUREMENTS = (Origin.BASELINE, Origin.CONFIRMATION, Origin.FINAL)

    objects = EntityQuerySet.as_manager()

    @classmethod
    def has_ended(cls, prefix: str = "") -> models.Q:
        """Candidates that have ended: trained or failed, or a cached copy that has its result.

        A copy of a genome that is still in training (a twin in its own generation) has not
        ended: it gets its result, and its ``finished_at``, when the original ends. ``prefix``
        reaches entities through a relation (``"entities__"``).
        """
        trained = (cls.Status.DONE, cls.Status.FAILED, cls.Status.STOPPED)
        return models.Q(**{f"{prefix}status__in": trained}) | models.Q(
            **{f"{prefix}status": cls.Status.CACHED, f"{prefix}finished_at__isnull": False}
        )

    search = models.ForeignKey(Search, related_name="entities", on_delete=models.CASCADE)
    generation = models.ForeignKey(Generation, related_name="entities", on_delete=models.CASCADE)
    index = models.PositiveIntegerField()
    genome = models.JSONField()
    genome_hash = models.CharField(max_length=64)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    parent_a = models.ForeignKey("self", null=True, blank=True, related_name="+", on_delete=models.SET_NULL)
    parent_b = models.ForeignKey("self", null=True, blank=True, related_name="+", on_delete=models.SET_NULL)
    # Per trait: "a" or "b" (the parent it came from) or "mutated".
    inheritance = models.JSONField(default=dict, blank=True)
    # Children bred (or genomes asked for) before this one, because they were already in the search.
    rebreeds = models.PositiveIntegerField(default=0)
    # Steady-state mode: a child has been bred in answer to this candidate's end.
    bred = models.BooleanField(default=False)
    # A confirmation is the same genome as this entity, trained again from other initial weights.
    replicate_of = models.ForeignKey("self", null=True, blank=True, related_name="replicates", on_delete=models.CASCADE)
    # A cached entity copies the result of the first entity with the same genome.
    cached_from = models.ForeignKey("self", null=True, blank=True, related_name="copies", on_delete=models.SET_NULL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    fitness = models.FloatField(null=True, blank=True)
    accuracy = models.FloatField(null=True, blank=True)
    parameter_count = models.BigIntegerField(null=True, blank=True)
    train_seconds = models.FloatField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    # The GPU the worker owns ("" on a CPU worker), as the machine numbers it.
    gpu = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Times it was queued again from a rung of its bracket: claims that go on training, not retries,
    # so they do not count towards GAWEB_MAX_ATTEMPTS either.
    promotions = models.PositiveIntegerField(default=0)
    # Claims handed back untrained by machines without the search's dataset: not attempts at
    # training, so they do not count towards GAWEB_MAX_ATTEMPTS (``attempts`` still grows with
    # them, because a claim's attempt number is what fences its later writes).
    handbacks = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # One dict per epoch, e.g. {"epoch": 1, "loss": 1.9, "accuracy": 0.31, "val_accuracy": 0.35}.
    # Written epoch by epoch while the candidate trains, so its learning curve is live.
    history = models.JSONField(default=list, blank=True)
    # Epochs trained, once it has ended (fewer than the spec's when stopped early).
    epochs = models.PositiveIntegerField(null=True, blank=True)
    # A final training's measure on the test split (no search ever sees those images).
    test_accuracy = models.FloatField(null=True, blank=True)
    test_loss = models.FloatField(null=True, blank=True)
    # Where the worker's time went for this entity, in seconds (dataset, build, fit, ...).
    timings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When its job was last sent to the workers (a job lost with Redis is sent again).
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Refreshed by the training worker; a running entity whose worker went silent is queued again.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # No default ordering: ordering by generation__number would add a join to every query.
        verbose_name_plural = "entities"
        constraints = [
            models.UniqueConstraint(fields=["generation", "index"], name="entity_index_unique_in_generation"),
        ]
        indexes = [
            models.Index(fields=["search", "-fitness"], name="entity_leaderboard"),
            models.Index(fields=["search", "status"], name="entity_search_status"),
            models.Index(fields=["generation", "status"], name="entity_generation_status"),
            models.Index(fields=["search", "genome_hash"], name="entity_genome_in_search"),
            models.Index(fields=["status", "heartbeat_at"], name="entity_status_heartbeat"),
            # The dashboard's version (the newest end) and its catch-up (what ended since).
            models.Index(fields=["search", "finished_at"], name="entity_search_finished"),
            models.Index(fields=["search", "origin"], name="entity_search_origin"),  # the final results
            # Steady-state births: the ended candidates not answered yet, without scanning the answered.
            models.Index(fields=["search"], condition=models.Q(bred=False), name="entity_unbred"),
        ]

    def __str__(self) -> str:
        return f"entity #{self.pk} (search #{self.search_id})"

    @property
    def selection_fitness(self) -> float:
        """The fitness breeding sees: a failed candidate counts as 0."""
        return self.fitness if self.fitness is not None else 0.0


class EpochResult(models.Model):
    """A candidate's validation accuracy after one epoch, as its worker reported it during training.

    The early-stopping rules compare a candidate with the others at the same epoch: kept
    here, one row per epoch, so that comparing is one indexed query however big the search.
    """

    search = models.ForeignKey(Search, related_name="+", on_delete=models.CASCADE)
    entity = models.ForeignKey(Entity, related_name="epoch_results", on_delete=models.CASCADE)
    epoch = models.PositiveIntegerField()
    val_accuracy = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "epoch"], name="one_result_per_entity_epoch")]
        # Covers the early-stopping counts and the median (search, epoch, then the values in order).
        indexes = [models.Index(fields=["search", "epoch", "val_accuracy"], name="epoch_result_value")]


class Checkpoint(models.Model):
    """A candidate paused at a rung of its bracket: its trained network (a ``.keras`` file's bytes;
    empty for an objective with no weights), and its learning curve and training seconds so far.

    In the database, as final models are: the machine that takes the promoted candidate up may
    not be the one that paused it. Deleted once the candidate has ended (and with it).
    """

    entity = models.OneToOneField(Entity, related_name="checkpoint", on_delete=models.CASCADE, primary_key=True)
    epoch = models.PositiveIntegerField()
    data = models.BinaryField()
    history = models.JSONField(default=list)
    train_seconds = models.FloatField(default=0.0)


class FinalModel(models.Model):
    """The trained model of a final training: a ``.keras`` file's bytes, or the file a user's
    function or command saved (``filename`` keeps its name, so the download keeps its suffix).

    Kept in the database, not in a worker's ``var/``: the worker that trained it and the web
    server that serves it may be different machines. Bounded by ``GAWEB_MAX_MODEL_MB``;
    deleted with its entity, and so with its search.
    """

    entity = models.OneToOneField(Entity, related_name="final_model", on_delete=models.CASCADE)
    data = models.BinaryField()
    size = models.PositiveBigIntegerField()
    filename = models.CharField(max_length=200, default="best.keras")
    created_at = models.DateTimeField(auto_now_add=True)

    @property
    def suffix(self) -> str:
        """The download's suffix: the saved file's own (``.keras``, ``.joblib``...), if it has one."""
        suffix = Path(self.filename).suffix
        return suffix if suffix[1:].replace("_", "").isalnum() else ""


class UnableHost(models.Model):
    """A machine whose workers cannot train this search: its dataset is not there.

    Its workers hand the search's jobs back to the queue for the machines that have the
    dataset, without claiming them. The search fails only when every machine with a worker
    listening is one of these, and its message names them with what each found.
    """

    search = models.ForeignKey(Search, related_name="unable_hosts", on_delete=models.CASCADE)
    host = models.CharField(max_length=200)  # the part of the worker's name after the "@"
    worker = models.CharField(max_length=200)  # the worker that found it out
    reason = models.TextField()
    found_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["search", "host"], name="one_unable_host_per_search")]

    def __str__(self) -> str:
        return f"{self.host} cannot train search #{self.search_id}: {self.reason}"

    @staticmethod
    def host_of(worker: str) -> str:
        """The machine of a worker's node name (``gpu0@host``): its workers share its files."""
        return worker.rpartition("@")[2] or worker


class ObjectiveOffer(models.Model):
    """An objective a machine's workers have (``workers.objectives.registry``), as they said when
    they started: the form offers these, and a spec may name only one some machine has."""

    host = models.CharField(max_length=200)  # the part of the worker's name after the "@"
    name = models.CharField(max_length=32)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20)  # "built-in", "objective", "keras" (a Keras builder), "function", "command"
    # The trait names it understands, where it declares them; null: any.
    traits = models.JSONField(null=True, blank=True)
    metric = models.CharField(max_length=64, default="val_accuracy")
    direction = models.CharField(max_length=8, default="maximize")
    # Can its search's best be trained at last ("Train the best on all data") and saved?
    trains_final = models.BooleanField(default=False)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host", "name"], name="one_offer_per_host_and_name")]
        ordering = ["name", "host"]

    def __str__(self) -> str:
        return f"{self.host} has the objective {self.name!r}"


class BoardSnapshot(models.Model):
    """A search's dashboard board as some process last caught it up (``searches.live.snapshot``),
    kept so that a process that has never seen the search answers its first look from it and
    what ended since, not from every ended candidate."""

    search = models.OneToOneField(Search, on_delete=models.CASCADE, primary_key=True, related_name="board_snapshot")
    taken_at = models.DateTimeField()  # when written (the database's clock)
    # When a reconciler last took on writing it: one machine at a time (``snapshot.claim``).
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The search's status when taken: a running search's board is not exact once the search ended.
    status = models.CharField(max_length=16, blank=True)
    points = models.PositiveIntegerField(default=0)  # the ended candidates folded in
    # The board's layout when taken (``snapshot.FORMAT``): another one is ignored, and built afresh.
    format = models.CharField(max_length=16, blank=True)
    data = models.BinaryField(default=b"")  # empty: claimed, not written yet

    def __str__(self) -> str:
        return f"the board of search #{self.search_id}, {self.points} points"
