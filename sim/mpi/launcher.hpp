#pragma once
// Was this process started by an MPI launcher (mpirun, mpiexec, srun)? Read from the
// launcher's environment, before (and without) initialising MPI, so a plain call starts
// no MPI machinery. Header-only: the CLI asks even when built without MPI.
#include <cstdlib>

namespace marketsim::mpi {

// This process's rank as the launcher says; -1 when no launcher started it.
inline int launcher_rank() {
  // Open MPI's mpirun, PMIx (Open MPI 5, srun --mpi=pmix), PMI/PMI2 (MPICH, srun).
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
    if (const char* v = std::getenv(name); v && *v) return std::atoi(v);
  return -1;
}

inline bool launched_by_mpi() { return launcher_rank() >= 0; }

}  // namespace marketsim::mpi
