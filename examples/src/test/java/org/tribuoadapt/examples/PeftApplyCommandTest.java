package org.tribuoadapt.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.core.safetensors.SafetensorsFile;
import org.tribuoadapt.core.safetensors.SafetensorsReader;

import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code peft apply} on the adapter Hugging Face PEFT saved for the fixture MLP reproduces PEFT's outputs.
 */
public class PeftApplyCommandTest {

    @Test
    public void reproducesPeftOutputs(@TempDir Path dir) throws Exception {
        Path fixture = Paths.get(getClass().getResource("/fixtures/hf-peft/mlp_lora").toURI());
        Path output = dir.resolve("out.safetensors");
        assertEquals(0, Main.execute(new String[] {"peft", "apply", "--network", Paths.get("configs", "hf-peft-mlp.xml").toString(),
                "--base-weights", fixture.resolve("base_model.safetensors").toString(),
                "--adapter", fixture.resolve("adapter").toString(),
                "--input", fixture.resolve("expected.safetensors").toString(), "--output", output.toString()}));
        SafetensorsFile expected = SafetensorsReader.read(fixture.resolve("expected.safetensors"));
        SafetensorsFile actual = SafetensorsReader.read(output);
        for (String name : new String[] {"output_adapted", "output_merged"}) {
            float[] want = expected.get(name).toFloatArray();
            float[] got = actual.get(name).toFloatArray();
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5, name + "[" + i + "]");
            }
        }
        assertEquals(2, Main.execute(new String[] {"peft", "apply", "--network", "x.xml"}));
    }
}
