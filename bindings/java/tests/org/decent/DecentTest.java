package org.decent;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/** JUnit 4 tests of the Java binding: closed forms, typed errors, buffers, callbacks. */
public class DecentTest {
  @Test
  public void ringRhoMatchesTheClosedForm() {
    for (int n : new int[] {5, 8, 12}) {
      try (Topology t = new Topology("ring", n)) {
        assertEquals(n, t.nodes());
        assertEquals(1.0 / 3 + 2.0 / 3 * Math.cos(2 * Math.PI / n), t.rho(0, 1), 1e-12);
        double[] w = t.weights(0);
        for (int i = 0; i < n; ++i) {
          double row = 0;
          for (int j = 0; j < n; ++j) row += w[i * n + j];
          assertEquals(1.0, row, 1e-12);
        }
      }
    }
  }

  @Test
  public void yourOwnWeightsMakeATopology() {
    // Two steps on 3 nodes: pairs (0, 1) then (1, 2); W1 W0 by hand.
    double[] w = {0.5, 0.5, 0, 0.5, 0.5, 0, 0, 0, 1, 1, 0, 0, 0, 0.5, 0.5, 0, 0.5, 0.5};
    try (Topology t = Topology.fromWeights(3, 2, w)) {
      assertEquals(2, t.period());
      assertEquals("file:<arrays>", t.name());
      double[] expected = {0.5, 0.5, 0, 0.25, 0.25, 0.5, 0.25, 0.25, 0.5};
      assertArrayEquals(expected, t.product(0, 2), 1e-15);
    }
    w[13] = 0.6; // step 1, row 1 sums to 1.1
    try {
      Topology.fromWeights(3, 2, w);
      fail("accepted a matrix that is not doubly stochastic");
    } catch (DecentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("step 1: not doubly stochastic: row 1"));
    }
  }

  @Test
  public void failuresThrowWithStatusAndMessage() {
    try {
      new Topology("rign", 8);
      fail("accepted an unknown topology");
    } catch (DecentException e) {
      assertEquals(1, e.status());
      assertEquals("DECENT_ERR_INVALID_ARGUMENT", e.statusName());
      assertTrue(e.getMessage(), e.getMessage().contains("did you mean ring"));
    }
    try {
      new Dataset("fashion-mnist", "/nonexistent", true);
      fail("opened a missing dataset");
    } catch (DecentException e) {
      assertEquals(5, e.status());
    }
    Topology closed = new Topology("ring", 4);
    closed.close();
    try {
      closed.rho(0, 0);
      fail("used a closed handle");
    } catch (DecentException e) {
      assertTrue(e.getMessage().contains("after close"));
    }
    try (Model m = new Model("lenet", 1, 28, 28, 10, 1)) {
      m.setParameters(Comm.floats(3));
      fail("accepted 3 parameters");
    } catch (DecentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("the model needs"));
    }
    try (Model m = new Model("lenet", 1, 28, 28, 10, 1)) {
      m.setParameters(FloatBuffer.allocate(10)); // not direct
      fail("accepted a heap buffer");
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().contains("direct"));
    }
  }

  @Test
  public void parametersRoundTripThroughDirectBuffers() {
    try (Model m = new Model("lenet", 1, 28, 28, 10, 7)) {
      assertEquals(150 + 2400 + 48120 + 10164 + 850, m.parameterCount());
      FloatBuffer p = m.parameters();
      p.put(0, 42f);
      m.setParameters(p);
      assertEquals(42f, m.parameters().get(0), 0f);
      FloatBuffer logits = m.predict(Comm.floats(2 * 784), 2);
      assertEquals(20, logits.capacity());
    }
  }

  private static TrainOptions small() {
    TrainOptions o = new TrainOptions();
    o.model = "lenet";
    o.data = "synthetic";
    o.nodes = 2;
    o.topology = "ring";
    o.batch = 16;
    o.lr = 0.05;
    o.maxSteps = 40;
    o.logEvery = 5;
    o.threads = 1;
    return o;
  }

  @Test
  public void trainOptionsHoldTheLibraryDefaults() {
    TrainOptions o = new TrainOptions(); // read from decent_train_default_options
    assertEquals("resnet20", o.model);
    assertEquals(8, o.nodes);
    assertEquals(0.1, o.lr, 0.0);
    assertEquals(20, o.logEvery);
    assertEquals(null, o.milestones);
    assertEquals("top-k:0.01", o.compressor);
    assertEquals(0.7, o.outerLr, 0.0);
    assertEquals(0.9, o.outerMomentum, 0.0);
    TrainOptions choco = small();
    choco.model = "mlp";
    choco.algorithm = "choco";
    choco.compressor = "qsgd:4";
    choco.consensusStep = 0.5;
    List<Double> bytes = new ArrayList<>();
    try (Trainer t = new Trainer(choco)) {
      t.run(p -> {
        if (!p.eval) bytes.add(p.bytesSent);
        return false;
      });
      assertTrue(t.evaluate()[0] > 0.6);
    }
    assertEquals(8, bytes.size());
    assertTrue(bytes.get(7) > bytes.get(0));
    choco.compressor = "gzip";
    try (Trainer t = new Trainer(choco)) {
      fail("compressor gzip was accepted");
    } catch (DecentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("options.compressor"));
    }
    TrainOptions bad = small();
    bad.cropPadding = 99;
    try (Trainer t = new Trainer(bad)) {
      fail("crop padding 99 was accepted");
    } catch (DecentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("options.crop_padding 99"));
    }
  }

  @Test
  public void trainerReportsLearnsStopsAndRethrows() {
    List<Progress> seen = new ArrayList<>();
    TrainOptions mlp = small();
    mlp.model = "mlp"; // reaches 100% on the synthetic set in 40 steps (lenet: 14%)
    try (Trainer t = new Trainer(mlp)) {
      t.run(p -> {
        seen.add(p);
        return false;
      });
      assertArrayEquals(new long[] {40, 40}, t.steps());
      double[] eval = t.evaluate();
      assertTrue("accuracy " + eval[0], eval[0] > 0.6); // not learning stays near 0.1
    }
    List<Double> losses = new ArrayList<>();
    for (Progress p : seen)
      if (!p.eval) losses.add(p.loss);
    assertEquals(8, losses.size());
    assertTrue(losses.get(7) < losses.get(0));
    assertTrue(seen.get(seen.size() - 1).eval);

    try (Trainer t = new Trainer(small())) {
      t.run(p -> p.step >= 10);
      assertEquals(10, t.steps()[0]);
      try {
        t.run(p -> { throw new IllegalStateException("from the listener"); });
        fail("the listener's exception was lost");
      } catch (IllegalStateException e) {
        assertEquals("from the listener", e.getMessage());
      }
    }
    TrainOptions bad = small();
    bad.algorithm = "sgd2";
    try {
      new Trainer(bad);
      fail("accepted an unknown algorithm");
    } catch (DecentException e) {
      assertTrue(e.getMessage().contains("sgd2"));
    }
    assertEquals("cpu", small().device);
    TrainOptions tpu = small();
    tpu.device = "tpu";
    try {
      new Trainer(tpu);
      fail("accepted device tpu");
    } catch (DecentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("options.device: device \"tpu\""));
    }
  }

  @Test
  public void inProcessNodesAverageWithNeighbours() {
    final int n = 4;
    final float[][] got = new float[n][];
    try (Topology ring = new Topology("ring", n)) {
      Comm.runLocal(n, 60, (c, rank) -> {
        FloatBuffer x = Comm.floats(1);
        x.put(0, rank);
        c.neighborAverage(ring, 0, x);
        FloatBuffer m = Comm.floats(1);
        m.put(0, rank);
        c.allreduceAverage(m);
        got[rank] = new float[] {x.get(0), m.get(0)};
      });
      double[] w = ring.weights(0);
      for (int i = 0; i < n; ++i) {
        double expected = 0;
        for (int j = 0; j < n; ++j) expected += w[i * n + j] * j;
        assertEquals(expected, got[i][0], 1e-5);
        assertEquals((n - 1) / 2.0, got[i][1], 1e-6);
      }
    }
    try {
      Comm.runLocal(3, 30, (c, rank) -> {
        if (rank == 1) throw new ArithmeticException("node one");
        c.allreduceAverage(Comm.floats(2));
      });
      fail("the node's exception was lost");
    } catch (ArithmeticException e) {
      assertEquals("node one", e.getMessage());
    }
  }

  @Test
  public void doublesAverageExactlyAsTheirWeightsSay() {
    // 1/3 is not a float: the float64 path must keep what the float32 path would round away.
    final int n = 4;
    final double[][] got = new double[n][];
    try (Topology ring = new Topology("ring", n)) {
      double[] w = ring.weights(0);
      Comm.runLocal(n, 60, (c, rank) -> {
        DoubleBuffer x = Comm.doubles(1);
        x.put(0, 1.0 / 3 + rank);
        c.neighborAverageStart(ring, 0, x);
        DoubleBuffer done = c.neighborAverageFinish();
        DoubleBuffer s = Comm.doubles(1);
        s.put(0, 1.0 / 3 + rank);
        c.allreduceAverage(s);
        DoubleBuffer b = Comm.doubles(1);
        b.put(0, rank == 1 ? Math.PI : 0);
        c.broadcast(b, 1);
        got[rank] = new double[] {done.get(0), s.get(0), b.get(0)};
      });
      for (int i = 0; i < n; ++i) {
        double expected = 0;
        for (int j = 0; j < n; ++j) expected += w[i * n + j] * (1.0 / 3 + j);
        assertEquals(expected, got[i][0], 1e-15);
        assertEquals(1.0 / 3 + 1.5, got[i][1], 1e-15);
        assertEquals(Math.PI, got[i][2], 0.0);
      }
    }
  }

  @Test
  public void theFullerApi() {
    assertEquals(3, Decent.version().split("\\.").length);
    try (Topology t = new Topology("one-peer-exp", 8)) {
      assertEquals(3, t.period());
      double[] p = t.product(0, 0); // exact averaging over a period for n = 8
      for (double v : p) assertEquals(0.125, v, 1e-12);
      assertEquals(1, t.inNeighbors(0, 0).size());
      assertEquals(1, t.outNeighbors(0, 0).size());
      try {
        t.inNeighbors(8, 0);
        fail("node 8 of 8 was accepted");
      } catch (DecentException e) {
        assertTrue(e.getMessage(), e.getMessage().contains("node 8"));
      }
    }
    final float[][] got = new float[3][];
    Comm.runLocal(3, 30, (c, rank) -> {
      FloatBuffer s = Comm.floats(1);
      s.put(0, rank + 1);
      c.allreduceSum(s);
      FloatBuffer b = Comm.floats(1);
      b.put(0, rank == 2 ? 42 : 0);
      c.broadcast(b, 2);
      got[rank] = new float[] {s.get(0), b.get(0)};
    });
    for (float[] g : got) {
      assertEquals(6.0, g[0], 0.0);
      assertEquals(42.0, g[1], 0.0);
    }
    try (Model m = new Model("resnet20", 1, 28, 28, 10, 1)) {
      assertArrayEquals(new long[] {1, 28, 28, 10}, m.shape());
      assertTrue(m.bufferCount() > 0);
      assertEquals(m.bufferCount(), m.buffers().capacity());
    }
  }

  /**
   * Four classes of 1x8x8 images: class k lights quadrant k (+3) over uniform noise in [-1, 1];
   * chance is 0.25. Returns the labels; fills images.
   */
  private static IntBuffer quadrants(int count, long seed, FloatBuffer images) {
    Random r = new Random(seed);
    IntBuffer labels = Native.ints(count);
    for (int i = 0; i < count; ++i) {
      int k = r.nextInt(4);
      labels.put(i, k);
      for (int y = 0; y < 8; ++y) {
        for (int x = 0; x < 8; ++x) {
          boolean lit = y / 4 == k / 2 && x / 4 == k % 2;
          images.put(i * 64 + y * 8 + x, (float) (r.nextDouble() * 2 - 1) + (lit ? 3f : 0f));
        }
      }
    }
    return labels;
  }

  @Test
  public void ownArraysTrainAndNormaliseAsStated() {
    FloatBuffer images = Native.floats(1600 * 64), testImages = Native.floats(400 * 64);
    IntBuffer labels = quadrants(1600, 1, images), testLabels = quadrants(400, 2, testImages);
    double sum = 0, squares = 0;
    for (int i = 0; i < images.capacity(); ++i) sum += images.get(i);
    double mean = sum / images.capacity();
    for (int i = 0; i < images.capacity(); ++i) squares += Math.pow(images.get(i) - mean, 2);
    double std = Math.sqrt(squares / images.capacity());
    try (Dataset train = Dataset.fromArrays(images, labels, 1, 8, 8, 4);
         Dataset test = Dataset.fromArrays(testImages, testLabels, 1, 8, 8, 4)) {
      assertEquals(1600, train.size());
      assertArrayEquals(new long[] {1, 8, 8, 4}, train.shape());
      float[][] norm = train.normalization();
      assertEquals(mean, norm[0][0], 1e-5); // the set's own statistics, computed here in double
      assertEquals(std, norm[1][0], 1e-5);
      test.setNormalization(norm[0], norm[1]);
      assertEquals(norm[0][0], test.normalization()[0][0], 0f);
      FloatBuffer got = Native.floats(64);
      IntBuffer gotLabel = Native.ints(1);
      test.batch(Dataset.indices(3), got, gotLabel);
      assertEquals(testLabels.get(3), gotLabel.get(0));
      assertEquals((testImages.get(3 * 64 + 5) - norm[0][0]) / norm[1][0], got.get(5), 1e-5);

      TrainOptions o = small();
      o.model = "mlp";
      o.nodes = 4;
      o.maxSteps = 0;
      o.epochs = 2;
      try (Trainer t = new Trainer(o, train, test, null)) {
        t.run(p -> false);
        assertTrue(t.finished());
        double accuracy = t.evaluate()[0];
        assertTrue("accuracy " + accuracy, accuracy > 0.9); // chance: 0.25
        assertTrue(t.configJson(), t.configJson().contains("\"data\":\"memory\""));
      }
      try {
        new Trainer(o, train, null, null);
        fail("a train set without a test set was accepted");
      } catch (IllegalArgumentException e) {
        assertTrue(e.getMessage().contains("give both"));
      }
    }
    IntBuffer four = Native.ints(1);
    four.put(0, 4);
    try {
      Dataset.fromArrays(Native.floats(4), four, 1, 2, 2, 4);
      fail("label 4 of 4 classes was accepted");
    } catch (DecentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("label 4 of image 0"));
    }
  }

  @Test
  public void modelBytesRoundTrip() {
    try (Model m = new Model("lenet", 1, 28, 28, 10, 3)) {
      ByteBuffer bytes = m.toBytes();
      assertTrue(bytes.capacity() > 4 * m.parameterCount());
      try (Model back = Model.fromBytes(bytes)) {
        FloatBuffer a = m.parameters(), b = back.parameters();
        assertEquals(a.capacity(), b.capacity());
        for (int i = 0; i < a.capacity(); ++i) assertEquals(a.get(i), b.get(i), 0f);
        assertArrayEquals(m.shape(), back.shape());
      }
    }
    try {
      Model.fromBytes(Native.bytes(16));
      fail("16 zero bytes were taken as a model");
    } catch (DecentException e) {
      assertTrue(e.getMessage(), e.status() != 0);
    }
  }

  @Test
  public void logListenerReceivesErrorsAndProgress() {
    List<String> messages = new ArrayList<>();
    List<Integer> levels = new ArrayList<>();
    Decent.setLogListener((level, text) -> {
      synchronized (messages) {
        levels.add(level);
        messages.add(text);
  }
}, Decent.LOG_INFO);
try {
  try {
    new Topology("no-such-kind", 4);
    fail("an unknown topology was accepted");
  } catch (DecentException e) {
    assertEquals(Decent.LOG_ERROR, (int) levels.get(levels.size() - 1));
    assertTrue(messages.get(messages.size() - 1).contains("no-such-kind"));
  }
  TrainOptions o = small();
  o.maxSteps = 5;
  try (Trainer t = new Trainer(o)) {
    t.run(p -> false);
  }
  assertTrue(String.join("|", messages),
      messages.stream().anyMatch(m -> m.contains("training lenet on 2 nodes")));
  assertTrue(messages.get(messages.size() - 1).contains("training finished at step 5 of 5"));
} finally {
  Decent.setLogListener(null, Decent.LOG_INFO);
}
int count = messages.size();
try {
  new Topology("no-such-kind", 4);
} catch (DecentException e) {
  assertEquals(count, messages.size()); // off again
}
}
}
