/// How `steps` sampling timesteps are picked from the training timesteps.
public enum TimestepSpacing: String, Sendable, CaseIterable {
    /// ldm's `DDIMSampler` (zero123 `ldm/models/diffusion/ddim.py` with `util.py`
    /// `make_ddim_timesteps(uniform)`): grid kᵢ = i·⌊T/N⌋ + 1, then `ddim_sampling` slices
    /// `timesteps[:-1]`, so N steps run N − 1 updates (for N = 50: 961, 941, …, 1; 981 is skipped),
    /// as zero123 and CustomNet sample.
    case ldm
    /// diffusers' `DDIMScheduler` with `timestep_spacing="leading"`, `steps_offset=1`,
    /// `set_alpha_to_one=False` (`schedulers/scheduling_ddim.py`): the same grid, all N updates
    /// (981, 961, …, 1 for N = 50).
    case leading

    /// The timesteps visited, in sampling order (descending), for `steps` steps over
    /// `trainingTimesteps` training timesteps, each with the timestep whose ᾱ is its "previous"
    /// ᾱ: the grid point below it, or 0 below the first grid point (both references use ᾱ[0] there).
    func visits(steps: Int, trainingTimesteps: Int) -> [(timestep: Int, previous: Int)] {
        let stride = trainingTimesteps / steps
        let grid = (0..<steps).map { $0 * stride + 1 }
        let kept = self == .ldm ? Array(grid.dropLast()) : grid
        return kept.indices.reversed().map { i in (kept[i], i == 0 ? 0 : grid[i - 1]) }
    }
}
