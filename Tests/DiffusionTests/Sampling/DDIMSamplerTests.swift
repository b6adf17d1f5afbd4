import Foundation
import Support
import Tensor
import Testing
import TestSupport
@testable import Diffusion

/// The reference run of scripts/interop/ddim_reference.py (PyTorch, float64, following zero123's
/// ddim.py and util.py; diffusers' DDIMScheduler), made once for the suite from noise drawn here.
private enum DDIMReference {
    static let shape = [1, 4, 8, 8]
    static let steps = 50

    struct Run {
        let folder: URL
        let initial: Tensor
        let noise: [Tensor]
    }

    static let run: Result<Run, any Error> = Result {
        let folder = TestPaths.scratchFolder("ddim-reference")
        var random = SeededRandom(seed: 2024)
        let initial = Tensor.randomNormal(shape: shape, random: &random)
        let noise = (0..<steps).map { _ in Tensor.randomNormal(shape: shape, random: &random) }
        try Data(NPY.encode(float32: initial.data, shape: shape)).write(to: folder.appendingPathComponent("x_T.npy"))
        try Data(NPY.encode(float32: noise.flatMap(\.data), shape: [steps] + shape))
            .write(to: folder.appendingPathComponent("noise.npy"))
        _ = try ReferenceScript.run("ddim_reference.py", importing: ["numpy", "torch", "diffusers"], [folder.path])
        return Run(folder: folder, initial: initial, noise: noise)
    }

    static func array(_ name: String, in folder: URL) throws -> (values: [Double], shape: [Int]) {
        try NPY.decode(Array(Data(contentsOf: folder.appendingPathComponent(name))))
    }

    static func json(_ name: String, in folder: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name))) as! [String: Any]
    }
}

/// The toy ε model the reference script also runs: two tanh branches combined with guidance 3.
private func toyEpsilon(_ x: Tensor, _ t: Int) throws -> Tensor {
    let time = Float(t) / 1000
    var unconditional = x, conditional = x
    for i in 0..<x.count {
        unconditional.data[i] = tanh(0.7 * x.data[i] + 1.3 * time)
        conditional.data[i] = tanh(-0.4 * x.data[i] + 0.2 - 0.9 * time)
    }
    return try ClassifierFreeGuidance.combine(unconditional: unconditional, conditional: conditional, scale: 3)
}

private func relativeError(_ mine: Tensor, _ reference: [Double]) -> (relative: Double, maxAbsolute: Double) {
    var difference = 0.0, norm = 0.0, maxAbsolute = 0.0
    for (a, b) in zip(mine.data, reference) {
        difference += (Double(a) - b) * (Double(a) - b)
        norm += b * b
        maxAbsolute = max(maxAbsolute, abs(Double(a) - b))
    }
    return ((difference / norm).squareRoot(), maxAbsolute)
}

@Suite("DDIM sampling against ldm and diffusers") struct DDIMSamplerTests {
    @Test func alphasCumprodAreLDMsFloat32Buffer() throws {
        let run = try DDIMReference.run.get()
        let reference = try DDIMReference.array("alphas_cumprod.npy", in: run.folder)
        let schedule = try NoiseSchedule()
        #expect(reference.shape == [1000])
        #expect(schedule.alphasCumprod.map(Double.init) == reference.values, "every ᾱ equals ldm's float32 value bit for bit")
        #expect(abs(schedule.alphasCumprod[0] - 0.99915) < 1e-6)
        #expect(abs(schedule.alphasCumprod[961] - 0.0072817) < 1e-7)
        #expect(abs(schedule.alphasCumprod[981] - 0.0057755) < 1e-7)
        #expect(abs(schedule.alphasCumprod[999] - 0.0046601) < 1e-7)
    }

    @Test(arguments: [50, 20, 30, 7, 1, 500])
    func timestepsAndCoefficientsMatch(steps: Int) throws {
        let run = try DDIMReference.run.get()
        let schedule = try NoiseSchedule()
        let ldm = try DDIMScheduler(schedule: schedule, steps: steps, eta: 0.5, spacing: .ldm)
        let expected = try DDIMReference.json("ldm_\(steps).json", in: run.folder)
        #expect(ldm.timesteps == expected["timesteps"] as! [Int])
        let coefficients = try DDIMReference.array("ldm_\(steps)_coefficients.npy", in: run.folder)
        let n = ldm.coefficients.count
        #expect(coefficients.shape == [3, n])
        #expect(ldm.coefficients.map { Double($0.alpha) } == Array(coefficients.values[0..<n]))
        #expect(ldm.coefficients.map { Double($0.alphaPrevious) } == Array(coefficients.values[n..<(2 * n)]))
        #expect(ldm.coefficients.map { Double($0.sigma) } == Array(coefficients.values[(2 * n)...]), "σ as ldm rounds it")
        let leading = try DDIMScheduler(schedule: schedule, steps: steps, spacing: .leading)
        #expect(leading.timesteps == (try DDIMReference.json("leading_\(steps).json", in: run.folder))["timesteps"] as! [Int])
        #expect(ldm.timesteps == Array(leading.timesteps.dropFirst()), "ldm skips the largest timestep")
    }

    @Test func fiftyStepsAreFortyNineUpdatesFrom961() throws {
        let sampler = try DDIMSampler(schedule: NoiseSchedule())
        #expect(sampler.scheduler.timesteps.count == 49)
        #expect(sampler.scheduler.timesteps.first == 961)
        #expect(sampler.scheduler.timesteps.last == 1)
    }

    @Test(arguments: [TimestepSpacing.ldm, .leading], [0.0, 1.0])
    func finalLatentMatchesFloat64Reference(spacing: TimestepSpacing, eta: Double) throws {
        let run = try DDIMReference.run.get()
        let sampler = try DDIMSampler(schedule: NoiseSchedule(), steps: DDIMReference.steps, eta: eta, spacing: spacing)
        var noise = RecordedNoise(run.noise)
        var seen: [Int] = []
        let final = try sampler.sample(from: run.initial, noise: &noise, progress: { seen.append($0.timestep) }, epsilon: toyEpsilon)
        #expect(seen == sampler.scheduler.timesteps)
        let reference = try DDIMReference.array("final_\(spacing.rawValue)_eta\(Int(eta)).npy", in: run.folder)
        let error = relativeError(final, reference.values)
        print("DDIM \(spacing.rawValue) eta \(eta): relative L2 \(error.relative), max abs \(error.maxAbsolute)")
        #expect(error.relative < 1e-5)
        if spacing == .leading {
            let diffusers = try DDIMReference.array("diffusers_leading_eta\(Int(eta)).npy", in: run.folder)
            let versusDiffusers = relativeError(final, diffusers.values)
            print("DDIM leading eta \(eta) vs diffusers DDIMScheduler.step: relative L2 \(versusDiffusers.relative)")
            #expect(versusDiffusers.relative < 1e-5)
        }
        #expect(noise.remaining.count == (eta == 0 ? run.noise.count : run.noise.count - seen.count))
    }

    @Test func seededNoiseDrawsInitialNoiseFirstThenOnePerUpdate() throws {
        let sampler = try DDIMSampler(schedule: NoiseSchedule(), steps: 10, eta: 1)
        var seeded = SeededNoise(seed: 7)
        let viaShape = try sampler.sample(shape: [1, 4, 4, 4], noise: &seeded, epsilon: toyEpsilon)
        var random = SeededRandom(seed: 7)
        let initial = Tensor.randomNormal(shape: [1, 4, 4, 4], random: &random)
        var recorded = RecordedNoise((0..<9).map { _ in Tensor.randomNormal(shape: [1, 4, 4, 4], random: &random) })
        let viaRecorded = try sampler.sample(from: initial, noise: &recorded, epsilon: toyEpsilon)
        #expect(viaShape == viaRecorded)
        #expect(seeded.random.next() == random.next(), "the stream is left where the run stopped")
    }

    @Test func guidanceOfBatchedOutputUsesTheUnconditionalHalfFirst() throws {
        let batched = Tensor(shape: [2, 2], data: [1, 2, 3, 5])
        let guided = try ClassifierFreeGuidance.combine(batched: batched, scale: 3)
        #expect(guided.shape == [1, 2])
        #expect(guided.data == [7, 11], "1 + 3·(3 − 1), 2 + 3·(5 − 2)")
        #expect(throws: SamplingError.self) { try ClassifierFreeGuidance.combine(batched: Tensor(shape: [3, 1]), scale: 3) }
    }

    @Test func badPlansAndShapesAreReadableErrors() throws {
        let schedule = try NoiseSchedule()
        #expect(throws: SamplingError.self) { try DDIMScheduler(schedule: schedule, steps: 1000) }
        #expect(throws: SamplingError.self) { try DDIMScheduler(schedule: schedule, steps: 0) }
        #expect(throws: SamplingError.self) { try DDIMScheduler(schedule: schedule, steps: 50, eta: -1) }
        #expect(throws: SamplingError.self) { try NoiseSchedule(linearStart: 0.02, linearEnd: 0.01) }
        let sampler = try DDIMSampler(schedule: schedule, steps: 5, eta: 1)
        var short = RecordedNoise([])
        do {
            _ = try sampler.sample(from: Tensor(shape: [1, 4, 2, 2]), noise: &short, epsilon: toyEpsilon)
            Issue.record("sampling without noise to draw succeeded")
        } catch let error as SamplingError {
            #expect(error.reason == .noiseExhausted)
            #expect(error.message.contains("ran out"))
        }
        var noise = SeededNoise(seed: 1)
        do {
            _ = try sampler.sample(from: Tensor(shape: [1, 4, 2, 2]), noise: &noise) { _, _ in Tensor(shape: [1, 4]) }
            Issue.record("a wrong-shaped epsilon was accepted")
        } catch let error as SamplingError {
            #expect(error.reason == .shapeMismatch)
        }
    }

    @Test func errorKindsAreStable() {
        #expect(SamplingError.Reason.allCases.map(\.rawValue) == ["bad-schedule", "bad-steps", "shape-mismatch", "noise-exhausted"])
        #expect(TimestepSpacing.allCases.map(\.rawValue) == ["ldm", "leading"])
    }
}
