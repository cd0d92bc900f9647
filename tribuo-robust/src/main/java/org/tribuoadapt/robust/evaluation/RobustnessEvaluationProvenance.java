package org.tribuoadapt.robust.evaluation;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import com.oracle.labs.mlrg.olcut.util.Pair;
import org.tribuo.Tribuo;
import org.tribuo.provenance.DataProvenance;
import org.tribuo.provenance.ModelProvenance;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The provenance of a {@link RobustnessEvaluation}, following Tribuo's {@code EvaluationProvenance}: the model's and
 * the test data's provenance, plus the evaluator's configuration (every attack's settings and the seed) and the
 * number of examples evaluated.
 */
public final class RobustnessEvaluationProvenance implements ObjectProvenance {
    private static final long serialVersionUID = 1L;

    private static final String MODEL = "model-provenance";
    private static final String DATASET = "dataset-provenance";
    private static final String EVALUATOR = "evaluator-provenance";
    private static final String EXAMPLES = "examples";
    private static final String TRIBUO_VERSION = "tribuo-version";

    private final StringProvenance className;
    private final ModelProvenance modelProvenance;
    private final DataProvenance datasetProvenance;
    private final ConfiguredObjectProvenance evaluatorProvenance;
    private final IntProvenance examples;
    private final StringProvenance version;

    /**
     * Creates the provenance.
     * @param modelProvenance The evaluated model's provenance.
     * @param datasetProvenance The test data's provenance.
     * @param evaluatorProvenance The evaluator's configuration.
     * @param examples The number of examples evaluated.
     */
    public RobustnessEvaluationProvenance(ModelProvenance modelProvenance, DataProvenance datasetProvenance,
                                          ConfiguredObjectProvenance evaluatorProvenance, int examples) {
        this.className = new StringProvenance(CLASS_NAME, RobustnessEvaluationProvenance.class.getName());
        this.modelProvenance = modelProvenance;
        this.datasetProvenance = datasetProvenance;
        this.evaluatorProvenance = evaluatorProvenance;
        this.examples = new IntProvenance(EXAMPLES, examples);
        this.version = new StringProvenance(TRIBUO_VERSION, Tribuo.VERSION);
    }

    /**
     * Deserialization constructor.
     * @param map The provenances.
     */
    public RobustnessEvaluationProvenance(Map<String, Provenance> map) {
        String name = RobustnessEvaluationProvenance.class.getSimpleName();
        this.className = ObjectProvenance.checkAndExtractProvenance(map, CLASS_NAME, StringProvenance.class, name);
        this.modelProvenance = ObjectProvenance.checkAndExtractProvenance(map, MODEL, ModelProvenance.class, name);
        this.datasetProvenance = ObjectProvenance.checkAndExtractProvenance(map, DATASET, DataProvenance.class, name);
        this.evaluatorProvenance = ObjectProvenance.checkAndExtractProvenance(map, EVALUATOR,
                ConfiguredObjectProvenance.class, name);
        this.examples = ObjectProvenance.checkAndExtractProvenance(map, EXAMPLES, IntProvenance.class, name);
        this.version = ObjectProvenance.checkAndExtractProvenance(map, TRIBUO_VERSION, StringProvenance.class, name);
    }

    @Override
    public String getClassName() {
        return className.getValue();
    }

    /**
     * The evaluated model's provenance.
     * @return The model provenance.
     */
    public ModelProvenance getModelProvenance() {
        return modelProvenance;
    }

    /**
     * The test data's provenance.
     * @return The data provenance.
     */
    public DataProvenance getTestDatasetProvenance() {
        return datasetProvenance;
    }

    /**
     * The evaluator's configuration, with every attack's settings.
     * @return The evaluator provenance.
     */
    public ConfiguredObjectProvenance getEvaluatorProvenance() {
        return evaluatorProvenance;
    }

    @Override
    public Iterator<Pair<String, Provenance>> iterator() {
        List<Pair<String, Provenance>> list = new ArrayList<>();
        list.add(new Pair<>(CLASS_NAME, className));
        list.add(new Pair<>(MODEL, modelProvenance));
        list.add(new Pair<>(DATASET, datasetProvenance));
        list.add(new Pair<>(EVALUATOR, evaluatorProvenance));
        list.add(new Pair<>(EXAMPLES, examples));
        list.add(new Pair<>(TRIBUO_VERSION, version));
        return list.iterator();
    }

    @Override
    public String toString() {
        return generateString("RobustnessEvaluation");
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RobustnessEvaluationProvenance)) {
            return false;
        }
        RobustnessEvaluationProvenance other = (RobustnessEvaluationProvenance) o;
        return className.equals(other.className) && modelProvenance.equals(other.modelProvenance)
                && datasetProvenance.equals(other.datasetProvenance)
                && evaluatorProvenance.equals(other.evaluatorProvenance) && examples.equals(other.examples)
                && version.equals(other.version);
    }

    @Override
    public int hashCode() {
        return Objects.hash(className, modelProvenance, datasetProvenance, evaluatorProvenance, examples, version);
    }
}
