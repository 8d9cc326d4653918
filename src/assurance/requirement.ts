// Turns a request (client minimum + acr_values) and what a ceremony achieved into decisions:
// which acr to return, whether the session must step up, which methods may be offered.
import {
  type AcrValue,
  type AuthenticatorKind,
  acrClasses,
  authenticatorKinds,
  defaultAcrFor,
  isAcrValue,
  type Level,
  type SignInMethod,
} from './policy.ts';

export interface Requirement {
  /** Candidate classes in the order the client asked for them, each at or above the client minimum. */
  acrs: AcrValue[];
  minimumLevel: Level;
  /** The level the easiest candidate class needs: what a person must reach to sign in at all. */
  neededLevel: Level;
  /** True when the client asked only for classes below its registered minimum. */
  belowClientMinimum: boolean;
}

export interface Achievement {
  level: Level;
  amr: readonly string[];
}

export function requirementFor(acrValues: string | undefined, clientMinimum: Level): Requirement {
  const requested = (acrValues ?? '').split(' ').filter(isAcrValue);
  const allowed = requested.filter((acr) => acrClasses[acr].minLevel >= clientMinimum);
  const acrs = allowed.length > 0 ? allowed : [defaultAcrFor(clientMinimum)];
  return {
    acrs,
    minimumLevel: clientMinimum,
    neededLevel: Math.min(...acrs.map((acr) => acrClasses[acr].minLevel)) as Level,
    belowClientMinimum: allowed.length === 0 && requested.length > 0,
  };
}

export function satisfies(acr: AcrValue, achieved: Achievement): boolean {
  const rule: { minLevel: Level; methods?: readonly string[] } = acrClasses[acr];
  if (achieved.level < rule.minLevel) return false;
  return !rule.methods || achieved.amr.some((m) => rule.methods?.includes(m));
}

/** The first requested class the achievement satisfies (contract §8.2), or undefined: step up. */
export function acrFor(requirement: Requirement, achieved: Achievement): AcrValue | undefined {
  return requirement.acrs.find((acr) => satisfies(acr, achieved));
}

/**
 * Authenticator kinds that could satisfy at least one candidate class; `available` narrows to the
 * kinds this deployment can produce (no AAL3 WebAuthn kind without trust anchors).
 */
export function kindsThatCanMeet(
  requirement: Requirement,
  available: readonly AuthenticatorKind[] = Object.keys(authenticatorKinds) as AuthenticatorKind[],
): AuthenticatorKind[] {
  return available.filter((kind) => {
    const { maxLevel, amr } = authenticatorKinds[kind];
    return requirement.acrs.some((acr) => satisfies(acr, { level: maxLevel, amr }));
  });
}

/** The sign-in ceremonies to offer: those of the kinds that could meet the requirement. */
export function methodsThatCanMeet(
  requirement: Requirement,
  available?: readonly AuthenticatorKind[],
): SignInMethod[] {
  return [
    ...new Set(kindsThatCanMeet(requirement, available).map((kind) => authenticatorKinds[kind].method)),
  ];
}
