import ReproRandom

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Gymnasium's Pendulum-v1 in pure Swift (no MuJoCo), so that learning tests run
/// in seconds. Observation [cos θ, sin θ, θ̇]; action: torque in [−2, 2];
/// reward −(normalize(θ)² + 0.1 θ̇² + 0.001 u²); θ̇ clipped to ±8; dt 0.05;
/// g 10, m 1, l 1; reset θ ~ U(−π, π), θ̇ ~ U(−1, 1); 200-step time limit
/// (a truncation: the task never terminates).
public final class PendulumEnvironment: Environment {
  public let name = "Pendulum-v1"
  public let observationSize = 3
  public let actionSize = 1
  public let actionLow = [-2.0]
  public let actionHigh = [2.0]
  public let maxEpisodeSteps: Int
  private var theta = 0.0
  private var thetaDot = 0.0
  private var elapsed = 0
  private var episodeOver = true
  private var rng: Xoshiro256

  public init(maxEpisodeSteps: Int = 200, seed: UInt64 = 0) {
    self.maxEpisodeSteps = maxEpisodeSteps
    rng = Xoshiro256(seed: seed, stream: "reset")
  }

  public func reset(seed: UInt64?) -> [Double] {
    if let seed { rng = Xoshiro256(seed: seed, stream: "reset") }
    theta = rng.uniform(-Double.pi, Double.pi)
    thetaDot = rng.uniform(-1, 1)
    elapsed = 0
    episodeOver = false
    return observation()
  }

  private func observation() -> [Double] { [cos(theta), sin(theta), thetaDot] }

  public func step(_ action: [Double]) throws -> StepResult {
    guard action.count == 1 else { throw EnvironmentError.wrongActionLength(expected: 1, got: action.count) }
    guard action[0].isFinite else { throw EnvironmentError.nonFiniteAction(index: 0, value: action[0]) }
    guard !episodeOver else { throw EnvironmentError.stepAfterEpisodeEnd }
    let g = 10.0, mass = 1.0, l = 1.0, dt = 0.05, maxSpeed = 8.0
    let u = min(max(action[0], -2), 2)
    let normalized = (theta + Double.pi).truncatingRemainder(dividingBy: 2 * Double.pi)
    let wrapped = (normalized < 0 ? normalized + 2 * Double.pi : normalized) - Double.pi
    let cost = wrapped * wrapped + 0.1 * thetaDot * thetaDot + 0.001 * u * u
    var newThetaDot = thetaDot + (3 * g / (2 * l) * sin(theta) + 3.0 / (mass * l * l) * u) * dt
    newThetaDot = min(max(newThetaDot, -maxSpeed), maxSpeed)
    theta += newThetaDot * dt
    thetaDot = newThetaDot
    elapsed += 1
    let truncated = elapsed >= maxEpisodeSteps
    if truncated { episodeOver = true }
    return StepResult(observation: observation(), reward: -cost, terminated: false, truncated: truncated,
                      info: StepInfo(xVelocity: 0))
  }
}

