package org.tribuoadapt.tta.evaluation;

import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.tta.method.AlphaBatchNormAdapter;
import org.tribuoadapt.tta.method.BatchNormAdapter;
import org.tribuoadapt.tta.method.EataAdapter;
import org.tribuoadapt.tta.method.LabelShiftEMAdapter;
import org.tribuoadapt.tta.method.LameAdapter;
import org.tribuoadapt.tta.method.SarAdapter;
import org.tribuoadapt.tta.method.T3AAdapter;
import org.tribuoadapt.tta.method.TentAdapter;
import org.tribuoadapt.tta.method.TestTimeAdapter;
import org.tribuoadapt.tta.scenario.CorruptionScenario;
import org.tribuoadapt.tta.scenario.StreamMode;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

public class TtaEvaluatorTest {

    @Test
    public void everyMethodRunsOnAContinualStream() {
        NetworkModel model = TtaFixtures.cnn();
        CorruptionScenario scenario = new CorruptionScenario(List.of("gaussian_noise", "fog", "contrast"), List.of(3, 5),
                TtaFixtures.SIZE, TtaFixtures.SIZE, StreamMode.CONTINUAL, 16, 0.0, 0, 3L);
        List<TestTimeAdapter> methods = List.of(new BatchNormAdapter(), new AlphaBatchNormAdapter(0.1),
                TentAdapter.withDefaults(), EataAdapter.withDefaults(), SarAdapter.withDefaults(),
                LameAdapter.withDefaults(), new T3AAdapter(100, "head", false), new LabelShiftEMAdapter(64, 100, 1e-6));
        TtaResults results = new TtaEvaluator(scenario).evaluate(model, TtaFixtures.test(60), TtaFixtures.train(), methods);
        assertEquals(9, results.evaluations().size());
        for (TtaEvaluation e : results.evaluations()) {
            System.out.println(e + " " + e.severityAccuracy());
        }
    }
}
