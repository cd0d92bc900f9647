package org.tribuoadapt.hpo.search.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.StudyStorage;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The state a journal describes, rebuilt by applying its operations in order with the rules of Optuna 3.1's
 * {@code JournalStorageReplayResult}: study ids count created studies, trial ids count every created trial of the
 * storage and trial numbers count within a study; a study whose name is taken, and an update to a missing or
 * finished trial, are ignored.
 */
final class JournalReplay {

    private static final class MutableTrial {
        final int studyId;
        final int number;
        TrialState state = TrialState.RUNNING;
        final Map<String, Object> params = new LinkedHashMap<>();
        final Map<String, Distribution> distributions = new LinkedHashMap<>();
        List<Double> values;
        final TreeMap<Integer, Double> intermediate = new TreeMap<>();
        final Map<String, Object> userAttributes = new LinkedHashMap<>();
        final Map<String, Object> systemAttributes = new LinkedHashMap<>();
        LocalDateTime start;
        LocalDateTime complete;

        MutableTrial(int studyId, int number) {
            this.studyId = studyId;
            this.number = number;
        }

        Trial freeze() {
            return new Trial(number, state, params, distributions, values, intermediate, userAttributes, systemAttributes, start,
                    complete);
        }
    }

    private final ObjectMapper mapper;
    private final Map<Integer, StudyStorage.StoredStudy> studies = new LinkedHashMap<>();
    private final Map<Integer, List<Integer>> studyTrials = new HashMap<>();
    private final Map<Integer, Map<String, Object>> studyUserAttributes = new HashMap<>();
    private final List<MutableTrial> trials = new ArrayList<>();
    private final Map<String, Integer> lastTrialByWorker = new HashMap<>();
    private int nextStudyId;

    JournalReplay(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void apply(JsonNode log) {
        switch (JournalOperation.ofCode(log.path("op_code").asInt(-1))) {
            case CREATE_STUDY -> createStudy(log);
            case DELETE_STUDY -> studies.remove(log.path("study_id").asInt());
            case CREATE_TRIAL -> createTrial(log);
            case SET_TRIAL_PARAM -> updatable(log).ifPresent(t -> {
                String name = log.path("param_name").asText();
                Distribution distribution = DistributionJson.read(mapper, log.path("distribution").asText());
                t.params.put(name, distribution.toExternal(log.path("param_value_internal").asDouble()));
                t.distributions.put(name, distribution);
            });
            case SET_TRIAL_STATE_VALUES -> updatable(log).ifPresent(t -> setStateValues(t, log));
            case SET_TRIAL_INTERMEDIATE_VALUE -> updatable(log).ifPresent(
                    t -> t.intermediate.put(log.path("step").asInt(), log.path("intermediate_value").asDouble()));
            case SET_TRIAL_USER_ATTR -> updatable(log).ifPresent(t -> t.userAttributes.putAll(attributes(log.path("user_attr"))));
            case SET_TRIAL_SYSTEM_ATTR -> updatable(log).ifPresent(
                    t -> t.systemAttributes.putAll(attributes(log.path("system_attr"))));
            case SET_STUDY_USER_ATTR -> {
                int studyId = log.path("study_id").asInt(-1);
                if (studies.containsKey(studyId)) {
                    studyUserAttributes.get(studyId).putAll(attributes(log.path("user_attr")));
                }
            }
            // study system attributes are kept by Optuna only
            case SET_STUDY_SYSTEM_ATTR -> { }
        }
    }

    private void createStudy(JsonNode log) {
        String name = log.path("study_name").asText();
        if (findStudy(name).isPresent()) {
            return;
        }
        List<Direction> directions = new ArrayList<>();
        log.path("directions").forEach(d -> directions.add(Direction.ofCode(d.asInt())));
        int id = nextStudyId++;
        studies.put(id, new StudyStorage.StoredStudy(id, name, directions));
        studyTrials.put(id, new ArrayList<>());
        studyUserAttributes.put(id, new LinkedHashMap<>());
    }

    private void createTrial(JsonNode log) {
        int studyId = log.path("study_id").asInt();
        if (!studies.containsKey(studyId)) {
            return;
        }
        List<Integer> ids = studyTrials.get(studyId);
        MutableTrial t = new MutableTrial(studyId, ids.size());
        ids.add(trials.size());
        lastTrialByWorker.put(log.path("worker_id").asText(), trials.size());
        trials.add(t);
        t.state = log.has("state") ? TrialState.ofCode(log.get("state").asInt()) : TrialState.RUNNING;
        t.start = dateTime(log.path("datetime_start"));
        t.complete = dateTime(log.path("datetime_complete"));
        t.values = log.path("value").isNumber() ? List.of(log.get("value").asDouble()) : values(log.path("values"));
        log.path("distributions").fields().forEachRemaining(e -> {
            Distribution d = DistributionJson.read(mapper, e.getValue().asText());
            t.distributions.put(e.getKey(), d);
            t.params.put(e.getKey(), d.toExternal(log.path("params").path(e.getKey()).asDouble()));
        });
        log.path("intermediate_values").fields().forEachRemaining(
                e -> t.intermediate.put(Integer.parseInt(e.getKey()), e.getValue().asDouble()));
        t.userAttributes.putAll(attributes(log.path("user_attrs")));
        t.systemAttributes.putAll(attributes(log.path("system_attrs")));
    }

    private void setStateValues(MutableTrial t, JsonNode log) {
        TrialState state = TrialState.ofCode(log.path("state").asInt());
        if (state == TrialState.RUNNING && t.state == TrialState.RUNNING) {
            // Optuna's rule: of two workers starting one WAITING trial, the first line wins
            return;
        }
        if (state == TrialState.RUNNING) {
            t.start = dateTime(log.path("datetime_start"));
        }
        if (state.isFinished()) {
            t.complete = dateTime(log.path("datetime_complete"));
        }
        t.state = state;
        if (log.path("values").isArray()) {
            t.values = values(log.path("values"));
        }
    }

    private static List<Double> values(JsonNode array) {
        if (!array.isArray()) {
            return null;
        }
        List<Double> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asDouble()));
        return values;
    }

    private Optional<MutableTrial> updatable(JsonNode log) {
        int id = log.path("trial_id").asInt(-1);
        if (id < 0 || id >= trials.size() || trials.get(id).state.isFinished()) {
            return Optional.empty();
        }
        return Optional.of(trials.get(id));
    }

    @SuppressWarnings("unchecked") // a JSON object converts to a map of JSON values
    private Map<String, Object> attributes(JsonNode node) {
        return node.isObject() ? mapper.convertValue(node, Map.class) : Map.of();
    }

    private static LocalDateTime dateTime(JsonNode node) {
        return node.isTextual() ? LocalDateTime.parse(node.asText()) : null;
    }

    Optional<StudyStorage.StoredStudy> findStudy(String name) {
        return studies.values().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * The trial a worker created last.
     * @param workerId The worker.
     * @return Its storage-wide id and number.
     */
    StudyStorage.TrialRef lastTrialOf(String workerId) {
        Integer id = lastTrialByWorker.get(workerId);
        if (id == null) {
            throw new IllegalStateException("worker " + workerId + " created no trial in the journal");
        }
        return new StudyStorage.TrialRef(id, trials.get(id).number);
    }

    /**
     * A trial of a study by number.
     * @param studyId The study.
     * @param number The trial's number.
     * @return Its storage-wide id and number.
     */
    StudyStorage.TrialRef trialRef(int studyId, int number) {
        checkStudy(studyId);
        List<Integer> ids = studyTrials.get(studyId);
        if (number < 0 || number >= ids.size()) {
            throw new IllegalArgumentException("study " + studyId + " has no trial " + number);
        }
        return new StudyStorage.TrialRef(ids.get(number), number);
    }

    /**
     * Whether a trial can still be updated.
     * @param trialId The trial.
     * @return The trial's number.
     * @throws IllegalStateException If the trial is missing or finished.
     */
    int checkUpdatable(int trialId) {
        if (trialId < 0 || trialId >= trials.size()) {
            throw new IllegalStateException("no trial with id " + trialId + " in the journal");
        }
        MutableTrial t = trials.get(trialId);
        if (t.state.isFinished()) {
            throw new IllegalStateException("trial " + t.number + " has already finished (" + t.state + ") and can not be updated");
        }
        return t.number;
    }

    Map<String, Object> studyUserAttributes(int studyId) {
        checkStudy(studyId);
        return Collections.unmodifiableMap(new LinkedHashMap<>(studyUserAttributes.get(studyId)));
    }

    private void checkStudy(int studyId) {
        if (!studies.containsKey(studyId)) {
            throw new IllegalArgumentException("no study with id " + studyId + " in the journal");
        }
    }

    List<Trial> trials(int studyId) {
        checkStudy(studyId);
        List<Integer> ids = studyTrials.get(studyId);
        return ids.stream().map(i -> trials.get(i).freeze()).toList();
    }
}
