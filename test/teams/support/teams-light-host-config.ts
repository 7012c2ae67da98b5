/**
 * A host configuration close to Microsoft Teams' light theme, for rendering cards with Microsoft's Adaptive
 * Cards renderer in tests: Teams' type ramp (12/14/14/18/24 px, weights 200/400/600), its spacing (8 … 24 px,
 * 16 px padding), its container backgrounds and foreground colours (the same values the card's contrast test
 * checks against), inline Show cards, and actions laid out horizontally. Written for these tests from the
 * published theme values; Segoe UI falls back to the machine's sans-serif, which is wider (a pessimistic
 * measure of height).
 */

const FOREGROUND = {
  default: { default: "#FF252424", subtle: "#BF252424" },
  dark: { default: "#FF252424", subtle: "#BF252424" },
  light: { default: "#FFFFFFFF", subtle: "#FFF3F2F1" },
  accent: { default: "#FF6264A7", subtle: "#FF8B8CC7" },
  good: { default: "#FF92C353", subtle: "#E592C353" },
  warning: { default: "#FFF8D22A", subtle: "#E5F8D22A" },
  attention: { default: "#FFC4314B", subtle: "#E5C4314B" },
};

const style = (backgroundColor: string): Record<string, unknown> => ({ backgroundColor, foregroundColors: FOREGROUND });

/** The host configuration (the renderer's `HostConfig` constructor takes it as is). */
export const TEAMS_LIGHT_HOST_CONFIG = {
  supportsInteractivity: true,
  choiceSetInputValueSeparator: ",",
  fontTypes: {
    default: {
      fontFamily: "'Segoe UI', 'Helvetica Neue', sans-serif",
      fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 200, default: 400, bolder: 600 },
    },
    monospace: {
      fontFamily: "'Courier New', monospace",
      fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 200, default: 400, bolder: 600 },
    },
  },
  spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: "#EEEEEE" },
  imageSizes: { small: 32, medium: 52, large: 100 },
  containerStyles: {
    default: style("#FFFFFF"),
    emphasis: style("#F3F2F1"),
    accent: style("#C7DEF9"),
    good: style("#CCFFCC"),
    attention: style("#FFC5B2"),
    warning: style("#FFE2B2"),
  },
  actions: {
    maxActions: 6,
    spacing: "default",
    buttonSpacing: 8,
    showCard: { actionMode: "inline", inlineTopMargin: 16, style: "emphasis" },
    actionsOrientation: "horizontal",
    actionAlignment: "left",
  },
  adaptiveCard: { allowCustomStyle: true },
  textBlock: { headingLevel: 2 },
  inputs: {
    label: { requiredInputs: { weight: "bolder", suffix: " *" }, optionalInputs: { weight: "bolder" } },
    errorMessage: { size: "small", color: "attention" },
  },
};

/** The page background Teams draws a card on, and the card's own (a white surface with a light border). */
export const TEAMS_LIGHT_PAGE_CSS = `
  html, body { margin: 0; padding: 0; background: #F5F5F5; }
  #host { width: 450px; background: #FFFFFF; box-shadow: 0 0 0 1px #E0E0E0; border-radius: 4px; overflow: visible; }
  .ac-pushButton { border: 1px solid #E0E0E0; border-radius: 4px; background: #FFFFFF; color: #252424; padding: 4px 12px; min-height: 32px; font: 600 14px 'Segoe UI', sans-serif; }
  .ac-pushButton.style-positive { background: #6264A7; color: #FFFFFF; }
  .ac-pushButton.style-destructive { background: #FFFFFF; color: #C4314B; border: 1px solid #E0E0E0; }
  .ac-pushButton.style-positive { border: 1px solid #6264A7; }
  .ac-input { font: 14px 'Segoe UI', sans-serif; min-height: 32px; box-sizing: border-box; }
`;
